// <picture-store-provider service-worker="…"> in Chromium: it registers a worker only from a path on the page's own
// origin; anything else is refused before the browser is asked, with a console error and `picture-worker-error`.
import { expect } from '@esm-bundle/chai';
import './picture-store-provider.ts';

describe('<picture-store-provider service-worker>', () => {
  const restores: (() => void)[] = [];
  let registered: string[];
  let errors: unknown[][];
  /** Resolves at the next console error. */
  let logged: Promise<void>;
  let onLogged: () => void;

  beforeEach(() => {
    registered = [];
    errors = [];
    logged = new Promise((resolve) => (onLogged = resolve));
    const { register } = ServiceWorkerContainer.prototype;
    ServiceWorkerContainer.prototype.register = function (
      this: ServiceWorkerContainer,
      url: string | URL,
      options?: RegistrationOptions,
    ) {
      registered.push(String(url));
      return register.call(this, url, options);
    };
    const { error } = console;
    console.error = (...args: unknown[]) => {
      errors.push(args);
      onLogged();
    };
    restores.push(
      () => (ServiceWorkerContainer.prototype.register = register),
      () => (console.error = error),
    );
  });
  afterEach(() => {
    for (const restore of restores.splice(0)) restore();
    for (const element of document.querySelectorAll('picture-store-provider')) element.remove();
  });

  /** A provider asked to register `script`; resolves with the `picture-worker-error` that follows, once logged. */
  async function provide(script: string): Promise<CustomEvent<{ url: string; error: Error }>> {
    const failed = new Promise<CustomEvent<{ url: string; error: Error }>>((resolve) =>
      addEventListener('picture-worker-error', (event) => resolve(event as CustomEvent), { once: true }),
    );
    const element = document.createElement('picture-store-provider');
    element.setAttribute('service-worker', script);
    document.body.append(element);
    const [event] = await Promise.all([failed, logged]);
    return event;
  }

  for (const script of [
    'http://elsewhere.example/sw.js',
    '//elsewhere.example/sw.js',
    '/\\elsewhere.example/sw.js',
    `http://${location.hostname}:1/sw.js`,
    'data:text/javascript,1',
    `blob:${location.origin}/0b9f2f5e-0000-4000-8000-000000000000`,
    'javascript:1',
  ]) {
    it(`refuses ${script} before any registration, with a console error and an event`, async () => {
      const { detail } = await provide(script);
      expect(detail.url).to.equal(script);
      expect(detail.error).to.be.instanceOf(TypeError);
      expect(registered, 'the browser was never asked').to.deep.equal([]);
      expect(errors.map((args) => String(args[0]))).to.deep.equal([String(detail.error)]);
      expect(String(detail.error)).to.match(/must be a path on this page's origin/);
    });
  }

  it('hands a path on its own origin to the browser (which fails this one: there is no such script)', async () => {
    const { detail } = await provide('/no-such-worker.js');
    expect(registered).to.deep.equal(['/no-such-worker.js']);
    expect(String(detail.error)).not.to.match(/must be a path on this page's origin/);
    expect(errors).to.have.length(1);
  });
});
