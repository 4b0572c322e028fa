// A tag pasted without its user-id, or with one the image service refuses, says so in the console, once per id on the
// page however many tags share the mistake, and shows the fallback; a valid id says nothing.
import { expect } from '@esm-bundle/chai';
import { users } from '../testing/service.ts';
import { fallbackText } from '../testing/watch-images.ts';
import type { CachedProfilePicture } from './cached-profile-picture.ts';
import './cached-profile-picture.ts';

describe('<cached-profile-picture> with a missing or invalid user-id', () => {
  const warnings: string[] = [];
  const warn = console.warn;
  let parent: HTMLElement;

  beforeEach(() => {
    warnings.length = 0;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    parent = document.createElement('div');
    document.body.append(parent);
  });
  afterEach(() => {
    console.warn = warn;
    parent.remove();
  });

  /** Puts the tags in the page as HTML, as a CMS or a template would, and waits for their first render. */
  async function put(html: string): Promise<CachedProfilePicture[]> {
    parent.innerHTML = html;
    const tags = [...parent.querySelectorAll('cached-profile-picture')];
    await Promise.all(tags.map((tag) => tag.updateComplete));
    return tags;
  }

  it('warns once for tags without a user-id, and they show the initials', async () => {
    const tags = await put('<cached-profile-picture label="Ada Lovelace"></cached-profile-picture>'.repeat(3));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include('user-id=""').and.include('1 to 64 of A-Z a-z 0-9 _ -');
    expect(tags.map(fallbackText)).to.deep.equal(['AL', 'AL', 'AL']);
  });

  it('warns once per id the service would refuse, naming it', async () => {
    const long = 'x'.repeat(65);
    await put(`
      <cached-profile-picture user-id="ada lovelace"></cached-profile-picture>
      <cached-profile-picture user-id="ada lovelace"></cached-profile-picture>
      <cached-profile-picture user-id="../admin"></cached-profile-picture>
      <cached-profile-picture user-id="${long}"></cached-profile-picture>`);
    expect(warnings).to.have.length(3);
    expect(warnings[0]).to.include('user-id="ada lovelace"');
    expect(warnings[1]).to.include('user-id="../admin"');
    expect(warnings[2]).to.include(long);
  });

  it('warns when a valid id is changed to an invalid one, and not for valid ids', async () => {
    const [valid, other] = users('warn', 2);
    const [tag] = await put(
      `<cached-profile-picture user-id="${valid}"></cached-profile-picture><cached-profile-picture user-id="${other}_-9"></cached-profile-picture>`,
    );
    expect(warnings).to.deep.equal([]);
    tag!.setAttribute('user-id', `${valid}!`);
    await tag!.updateComplete;
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include(`user-id="${valid}!"`);
  });
});
