import { escapeHtml } from './picture-tag.ts';

/** A picture with a caption under it, as the pictures page lays them out in a row; `after` follows the caption. */
export function sample(caption: string, content: string, after = ''): string {
  return `<div class="sample">${content}${escapeHtml(caption)}${after}</div>`;
}
