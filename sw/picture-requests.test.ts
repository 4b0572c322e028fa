import { expect } from '@esm-bundle/chai';
import { pictureRequest } from './picture-requests.ts';

const VERSION = '0123456789abcdef0123456789abcdef';
const request = (href: string) => pictureRequest(new URL(href));

describe('pictureRequest', () => {
  it('understands the copies the service names, each its own entry', () => {
    expect(request(`https://pictures.example/images/ada/${VERSION}/64.webp`)).to.deep.equal({
      key: `https://pictures.example/images/ada/${VERSION}/64.webp`,
      userId: 'ada',
      version: VERSION,
    });
    expect(request(`https://pictures.example/images/ada/${VERSION}/512.webp`)?.key).to.equal(
      `https://pictures.example/images/ada/${VERSION}/512.webp`,
    );
    expect(request(`https://pictures.example/images/ada/${VERSION}/96.webp#top`)?.key).to.equal(
      `https://pictures.example/images/ada/${VERSION}/96.webp`,
      'a fragment is never sent',
    );
  });

  it('leaves everything else alone, older picture URLs included', () => {
    for (const href of [
      'https://p.example/images/logo.png',
      `https://p.example/images/ada/${VERSION}`,
      `https://p.example/images/ada/${VERSION}/64.png`,
      `https://p.example/images/ada/${VERSION}/large.webp`,
      `https://p.example/images/ada/${VERSION}/64.webp/extra`,
      'https://p.example/images/ada/not-a-version/64.webp',
      `https://p.example/images/bad%20id/${VERSION}/64.webp`,
      `https://p.example/api/pictures/ada`,
      `http://127.0.0.1:9000/profile-pictures/pictures/ada/${VERSION}?X-Amz-Signature=aa11`,
    ])
      expect(request(href), href).to.equal(undefined);
  });
});
