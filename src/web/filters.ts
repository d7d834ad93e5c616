/** The explorer's filter panel: one group per filter, each value with its count of images. */
import type { FacetCounts, Meta } from './api.js';
import { count, h } from './dom.js';
import { FACET_LIST } from '../shared/facets.js';

/** The facets in the order shown, with the query parameter each sets. */
const FILTER_GROUPS: readonly { param: string; facet: string; title: string }[] = FACET_LIST;

export const FILTER_PARAMS = [...FILTER_GROUPS.map((g) => g.param), 'pair_id'];

function valuesOf(param: string, meta: Meta, counts: Record<string, number>): { value: string; label: string }[] {
  switch (param) {
    case 'category':
      return meta.categories.map((c) => ({ value: String(c.id), label: `${c.id} ${c.name}` }));
    case 'source':
      return [
        { value: 'user', label: 'user (consumer)' },
        { value: 'shop', label: 'shop (commercial)' },
      ];
    case 'style':
      return [
        { value: 'zero', label: '0 (no pair)' },
        { value: 'positive', label: '> 0 (pairable)' },
      ];
    case 'items':
      return Object.keys(counts)
        .map(Number)
        .sort((a, b) => a - b)
        .map((n) => ({ value: String(n), label: `${n} item${n === 1 ? '' : 's'}` }));
    default:
      return (meta.attributes[param] ?? []).map((name, k) => ({ value: String(k + 1), label: `${k + 1} ${name}` }));
  }
}

/**
 * The panel for the current filters; `onChange` gets the new parameters.
 * Values with no matching image under the other filters show 0 and are dimmed.
 */
export function filterPanel(meta: Meta, params: URLSearchParams, counts: FacetCounts | undefined, onChange: (p: URLSearchParams) => void): HTMLElement {
  const toggle = (param: string, value: string, on: boolean): void => {
    const next = new URLSearchParams(params);
    const set = new Set((next.get(param) ?? '').split(',').filter(Boolean));
    if (on) set.add(value);
    else set.delete(value);
    if (set.size > 0) next.set(param, [...set].join(','));
    else next.delete(param);
    next.delete('page');
    onChange(next);
  };
  const groups = FILTER_GROUPS.map((group) => {
    const selected = new Set((params.get(group.param) ?? '').split(',').filter(Boolean));
    const groupCounts = counts?.[group.facet] ?? {};
    const rows = valuesOf(group.param, meta, groupCounts).map(({ value, label }) => {
      const n = groupCounts[value] ?? 0;
      const id = `f-${group.param}-${value}`;
      const box = h('input', { type: 'checkbox', id, 'data-facet': group.param, 'data-value': value });
      box.checked = selected.has(value);
      box.addEventListener('change', () => toggle(group.param, value, box.checked));
      return h(
        'label',
        { class: `facet-row${n === 0 && !selected.has(value) ? ' empty' : ''}`, for: id },
        box,
        h('span', { class: 'facet-label' }, label),
        h('span', { class: 'facet-count', 'data-count': n }, counts ? count(n) : '…'),
      );
    });
    const clear =
      selected.size > 0
        ? h(
            'button',
            {
              class: 'link',
              type: 'button',
              onclick: () => {
                const next = new URLSearchParams(params);
                next.delete(group.param);
                next.delete('page');
                onChange(next);
              },
            },
            'clear',
          )
        : null;
    return h('fieldset', { class: 'facet', 'data-group': group.param }, h('legend', null, group.title, clear), rows);
  });

  const pairInput = h('input', {
    type: 'text',
    inputmode: 'numeric',
    placeholder: 'any',
    value: params.get('pair_id') ?? '',
    'aria-label': 'pair_id',
    id: 'f-pair_id',
  });
  const pairForm = h(
    'form',
    {
      class: 'pair-filter',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const next = new URLSearchParams(params);
        const v = pairInput.value.trim();
        if (/^\d+$/.test(v)) next.set('pair_id', v);
        else next.delete('pair_id');
        next.delete('page');
        onChange(next);
      },
    },
    h('label', { for: 'f-pair_id' }, 'pair_id'),
    pairInput,
    h('button', { type: 'submit' }, 'Go'),
  );

  const any = FILTER_PARAMS.some((p) => params.has(p));
  return h(
    'aside',
    { class: 'filters' },
    h(
      'div',
      { class: 'filters-head' },
      h('h2', null, 'Filters'),
      any ? h('button', { class: 'link', type: 'button', onclick: () => onChange(new URLSearchParams()) }, 'clear all') : null,
    ),
    h('p', { class: 'hint' }, 'Item filters match one and the same item; counts are images.'),
    pairForm,
    groups,
  );
}
