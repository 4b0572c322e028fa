import { expect } from '@esm-bundle/chai';
import { DEFAULT_OPTIONS, readWorkerOptions, workerScriptUrl } from './options.ts';

describe('workerScriptUrl', () => {
  it('carries only the options that differ from the defaults', () => {
    expect(workerScriptUrl('/sw.js', {})).to.equal('/sw.js');
    expect(workerScriptUrl('/sw.js', { maxEntries: 200, maxAgeSeconds: 3600 })).to.equal('/sw.js?maxAgeSeconds=3600');
    expect(workerScriptUrl('/sw.js?maxBytes=1000', { precache: ['/', '/profile'] })).to.equal(
      '/sw.js?maxBytes=1000&precache=%2F%2C%2Fprofile',
    );
    expect(workerScriptUrl('https://site.example/sw.js', { maxEntries: 5 })).to.equal(
      'https://site.example/sw.js?maxEntries=5',
    );
  });

  it('refuses a bad option, naming it and what it takes', () => {
    expect(() => workerScriptUrl('/sw.js', { maxEntries: 0 })).to.throw(
      RangeError,
      /maxEntries must be a whole number above 0, not 0/,
    );
    expect(() => workerScriptUrl('/sw.js', { maxBytes: 1.5 })).to.throw(RangeError, /maxBytes/);
    expect(() => workerScriptUrl('/sw.js', { maxAgeSeconds: '60' as unknown as number })).to.throw(
      RangeError,
      /maxAgeSeconds .* not "60"/,
    );
    expect(() => workerScriptUrl('/sw.js', { precache: ['profile'] })).to.throw(
      RangeError,
      /precache takes paths on this origin .* not "profile"/,
    );
    expect(() => workerScriptUrl('/sw.js', { precache: ['//evil.example/'] })).to.throw(RangeError, /precache/);
    expect(() => workerScriptUrl('/sw.js', { precache: '/' as unknown as string[] })).to.throw(
      RangeError,
      /list of paths/,
    );
  });
});

describe("workerScriptUrl, the image service's origins and the uploads' lifetime", () => {
  it("carries the origins of the URLs it is given, with those in the script's URL; the worker's own alone is the default", () => {
    expect(workerScriptUrl('/sw.js', { origins: ['/api', `${location.origin}/api`] })).to.equal('/sw.js');
    const url = new URL(
      workerScriptUrl('/sw.js?origins=https://a.example', { origins: ['https://img.example/api', '/api'] }),
      location.href,
    );
    expect(url.searchParams.get('origins')).to.equal(`https://a.example,https://img.example,${location.origin}`);
    expect(readWorkerOptions(url.searchParams).options.origins).to.deep.equal([
      'https://a.example',
      'https://img.example',
      location.origin,
    ]);
    expect(workerScriptUrl('/sw.js', { uploadMaxAgeSeconds: 3600 })).to.equal('/sw.js?uploadMaxAgeSeconds=3600');
    expect(workerScriptUrl('/sw.js', { uploadMaxAgeSeconds: 86_400 })).to.equal('/sw.js');
  });

  it('refuses an origin that is not an http(s) URL, and an upload lifetime that is not a whole number of seconds', () => {
    for (const origins of [['javascript:alert(1)'], ['data:text/html,x'], [42], 'https://img.example']) {
      expect(() => workerScriptUrl('/sw.js', { origins: origins as string[] }), JSON.stringify(origins)).to.throw(
        RangeError,
        /origins/,
      );
    }
    expect(() => workerScriptUrl('/sw.js', { uploadMaxAgeSeconds: 0 })).to.throw(
      RangeError,
      /uploadMaxAgeSeconds must be a whole number above 0/,
    );
  });
});

describe('readWorkerOptions', () => {
  it('takes only exact http(s) origins, and says which it left out', () => {
    const { options, problems } = readWorkerOptions(
      new URLSearchParams(
        'origins=https://a.example,http://127.0.0.1:8443,https://b.example/api,ftp://c.example,nonsense&uploadMaxAgeSeconds=60',
      ),
    );
    expect(options.origins).to.deep.equal(['https://a.example', 'http://127.0.0.1:8443']);
    expect(options.uploadMaxAgeSeconds).to.equal(60);
    expect(problems).to.have.length(3);
    expect(problems[0]).to.match(/origins takes origins .* not "https:\/\/b.example\/api": left out/);
  });

  it('reads what workerScriptUrl wrote', () => {
    const url = new URL(
      workerScriptUrl('/sw.js', { maxEntries: 5, maxBytes: 1000, maxAgeSeconds: 60, precache: ['/', '/a b'] }),
      'https://x.example',
    );
    expect(readWorkerOptions(url.searchParams)).to.deep.equal({
      options: {
        maxEntries: 5,
        maxBytes: 1000,
        maxAgeSeconds: 60,
        uploadMaxAgeSeconds: 86_400,
        precache: ['/', '/a b'],
        origins: [],
      },
      problems: [],
    });
  });

  it('keeps the default for a bad value, and says so', () => {
    const { options, problems } = readWorkerOptions(new URLSearchParams('maxEntries=-3&maxBytes=lots&precache=/,nope'));
    expect(options).to.deep.equal({ ...DEFAULT_OPTIONS, precache: ['/'] });
    expect(problems).to.have.length(3);
    expect(problems[0]).to.match(/maxEntries must be .* not "-3": using 200/);
    expect(problems[2]).to.match(/not "nope": left out/);
  });
});
