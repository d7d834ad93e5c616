/**
 * The challenge's description, written in Markdown in `challenge.yaml`, as
 * HTML the browser app can insert. markdown-it runs with raw HTML off, so
 * any tag in the text comes out escaped, and its link check refuses
 * `javascript:`, `vbscript:`, `file:` and `data:` URLs (but for images of a
 * few raster types); nothing else needs sanitising. The description is fixed
 * for the server's life: the routes render it once.
 */
import MarkdownIt from 'markdown-it';

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });
// Links leave the app in a new tab and tell the other site nothing of where they came from.
const defaultLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, i, options, _env, self) => self.renderToken(tokens, i, options));
markdown.renderer.rules.link_open = (tokens, i, options, env, self) => {
  const token = tokens[i]!;
  token.attrSet('rel', 'noopener noreferrer');
  token.attrSet('target', '_blank');
  return defaultLinkOpen(tokens, i, options, env, self);
};

/**
 * HTML of a challenge description in Markdown, safe to insert as it is.
 *
 * @example
 * descriptionHtml('# Rules\n\nOne **team** <b>per</b> person.');
 * // '<h1>Rules</h1>\n<p>One <strong>team</strong> &lt;b&gt;per&lt;/b&gt; person.</p>\n'
 */
export function descriptionHtml(text: string): string {
  return markdown.render(text);
}
