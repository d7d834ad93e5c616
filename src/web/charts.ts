/** Horizontal bar charts as plain HTML (one row per bar), stacked for user/shop splits. */
import { count, h } from './dom.js';

export interface Bar {
  label: string;
  /** Segments stacked left to right, e.g. user then shop. */
  values: number[];
}

export function barChart(title: string, bars: Bar[], legend: string[] = []): HTMLElement {
  const max = Math.max(1, ...bars.map((b) => b.values.reduce((a, v) => a + v, 0)));
  return h(
    'figure',
    { class: 'chart' },
    h(
      'figcaption',
      null,
      title,
      legend.length > 1
        ? h(
            'span',
            { class: 'legend' },
            legend.map((l, k) => h('span', { class: `key seg${k}` }, l)),
          )
        : null,
    ),
    h(
      'div',
      { class: 'bars' },
      bars.map((bar) => {
        const total = bar.values.reduce((a, v) => a + v, 0);
        return h(
          'div',
          { class: 'bar-row' },
          h('span', { class: 'bar-label', title: bar.label }, bar.label),
          h(
            'span',
            { class: 'bar-track' },
            bar.values.map((v, k) => h('span', { class: `bar seg${k}`, style: `width: ${(100 * v) / max}%`, title: `${legend[k] ?? ''} ${count(v)}` })),
          ),
          h('span', { class: 'bar-value' }, count(total)),
        );
      }),
    ),
  );
}
