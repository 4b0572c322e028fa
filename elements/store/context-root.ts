import { ContextRoot } from '@lit/context';

// A provider that upgrades after the pictures inside it (a script loaded late, a CMS block) still reaches them:
// the root keeps their requests and answers them when the provider appears. Only on a page: a server importing the
// package to render it has no document (or a shim's, with no root element) and no provider to wait for.
const root = globalThis.document?.documentElement;
if (root) new ContextRoot().attach(root);
