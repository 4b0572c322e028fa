import { expect } from '@esm-bundle/chai';
import { pictureRequest } from './picture-requests.ts';

const VERSION = '0123456789abcdef0123456789abcdef';
const request = (href: string) => pictureRequest(new URL(href));

describe('pictureRequest', () => {
  it('understands the service\'s own picture URLs', () => {
    expect(request(`https://pictures.example/images/ada/${VERSION}`)).to.deep.equal({ key: `https://pictures.example/images/ada/${VERSION}`, userId: 'ada', version: VERSION });
  });

  it('keys an object store URL without its signature, so every signing of one version is one entry', () => {
    const signed = (date: string, signature: string) =>
      `http://127.0.0.1:9000/profile-pictures/pictures/ada/${VERSION}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=KEY%2F20261126%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=${date}&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=${signature}`;
    const one = request(signed('20261126T120000Z', 'aa11'));
    const two = request(signed('20261126T121000Z', 'bb22'));
    expect(one).to.deep.equal({ key: `http://127.0.0.1:9000/profile-pictures/pictures/ada/${VERSION}`, userId: 'ada', version: VERSION });
    expect(two).to.deep.equal(one);
    expect(request(`http://127.0.0.1:9000/b/pictures/ada/${VERSION}?AWSAccessKeyId=K&Expires=1&Signature=s`)?.key).to.equal(`http://127.0.0.1:9000/b/pictures/ada/${VERSION}`, 'SigV2 too');
  });

  it('keeps parameters that name something else, in one order', () => {
    expect(request(`https://p.example/images/ada/${VERSION}?w=96&X-Amz-Signature=x&dpr=2`)?.key).to.equal(`https://p.example/images/ada/${VERSION}?dpr=2&w=96`);
  });

  it('leaves everything else alone', () => {
    for (const href of [
      'https://p.example/images/logo.png',
      `https://p.example/images/ada/${VERSION}/extra`,
      'https://p.example/images/ada/not-a-version',
      `https://p.example/images/bad%20id/${VERSION}`,
      `https://p.example/api/pictures/ada`,
      `https://p.example/pictures/ada/${VERSION}`,
    ]) expect(request(href), href).to.equal(undefined);
  });
});
