/**
 * Values by key in order of use, for the memory cache. A use moves one node to the front of a list, so a hit changes
 * no hash table: re-inserting into a Map on every use cost more than the rest of a cached lookup's work in the cache.
 */
export interface Lru<V> {
  readonly size: number;
  /** The value, without counting as a use. */
  peek(key: string): V | undefined;
  /** The value, counted as a use: it becomes the most recently used. */
  use(key: string): V | undefined;
  /** Sets the value, counted as a use. */
  set(key: string, value: V): void;
  delete(key: string): void;
  /** Drops the least recently used entry, and answers its value. */
  dropOldest(): V | undefined;
  /** Every entry, in no particular order; deleting the one at hand meanwhile is safe. */
  entries(): IterableIterator<[string, V]>;
  clear(): void;
}

interface Node<V> {
  key: string;
  value: V;
  newer: Node<V> | undefined;
  older: Node<V> | undefined;
}

/** An empty {@link Lru}. */
export function createLru<V>(): Lru<V> {
  const nodes = new Map<string, Node<V>>();
  let newest: Node<V> | undefined;
  let oldest: Node<V> | undefined;

  function unlink(node: Node<V>): void {
    if (node.newer) node.newer.older = node.older;
    else newest = node.older;
    if (node.older) node.older.newer = node.newer;
    else oldest = node.newer;
    node.newer = node.older = undefined;
  }

  function pushNewest(node: Node<V>): void {
    node.older = newest;
    if (newest) newest.newer = node;
    newest = node;
    oldest ??= node;
  }

  function remove(node: Node<V>): void {
    unlink(node);
    nodes.delete(node.key);
  }

  return {
    get size() {
      return nodes.size;
    },
    peek: (key) => nodes.get(key)?.value,
    use(key) {
      const node = nodes.get(key);
      if (!node) return undefined;
      if (node !== newest) {
        unlink(node);
        pushNewest(node);
      }
      return node.value;
    },
    set(key, value) {
      const node = nodes.get(key);
      if (node) {
        node.value = value;
        unlink(node);
        pushNewest(node);
        return;
      }
      const added: Node<V> = { key, value, newer: undefined, older: undefined };
      nodes.set(key, added);
      pushNewest(added);
    },
    delete(key) {
      const node = nodes.get(key);
      if (node) remove(node);
    },
    dropOldest() {
      const dropped = oldest;
      if (dropped) remove(dropped);
      return dropped?.value;
    },
    *entries() {
      for (const [key, node] of nodes) yield [key, node.value];
    },
    clear() {
      nodes.clear();
      newest = oldest = undefined;
    },
  };
}
