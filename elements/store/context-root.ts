import { ContextRoot } from '@lit/context';

// A provider that upgrades after the pictures inside it (a script loaded late, a CMS block) still reaches them:
// the root keeps their requests and answers them when the provider appears.
new ContextRoot().attach(document.documentElement);
