/** Shows the header's "Offline" mark while the browser has no network, so pictures still shown are seen as kept. */
export function showConnection(root: ParentNode): void {
  const mark = root.querySelector<HTMLElement>('[data-offline]');
  if (!mark) return;
  const update = () => (mark.hidden = navigator.onLine);
  addEventListener('online', update);
  addEventListener('offline', update);
  update();
}
