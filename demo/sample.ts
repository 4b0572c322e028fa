/** A picture with a caption under it, as the pictures page lays them out in a row. */
export function sample(caption: string, ...content: Node[]): HTMLElement {
  const figure = document.createElement('div');
  figure.className = 'sample';
  figure.append(...content, caption);
  return figure;
}
