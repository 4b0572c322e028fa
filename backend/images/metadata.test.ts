// No served byte carries what the uploader's file held besides its pixels. Each upload here hides metadata where a
// byte-level stripper could miss it, with a marker in every hiding place; the test checks the upload really holds
// it (exiftool reads it, or the marker is in its bytes), sends it through the real app, and asks exiftool what every
// URL of the answer serves. Needs exiftool (Debian: libimage-exiftool-perl; `npm test` installs it).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import sharp, { type Exif, type Sharp } from 'sharp';
import type { PictureMeta } from '../../contract/picture.ts';
import { createApp } from '../app.ts';
import { createMemoryCache, createMemoryEventBus } from '../cache/memory.ts';
import { createFileStorage } from '../storage/files.ts';
import { TEST_ADMIN_TOKEN } from '../testing/tokens.ts';
import {
  box,
  bytes,
  indexOf,
  jpegSegment,
  pngChunk,
  riffChunk,
  subBlocks,
  u16beBytes,
  u32beBytes,
  webp,
  webpChunks,
  type Part,
} from '../upload/fixtures.ts';
import { colorTableSize } from '../upload/gif-blocks.ts';

const WIDTH = 320;
const HEIGHT = 240;

/** A marker for one hiding place: found anywhere in what is served, it leaked. */
const mark = (place: string) => `planted-${place}`;

/**
 * A gradient, a different one each frame, so every encoder writes real image data (and the crop has something to look
 * at).
 */
function picture(frames = 1): Sharp {
  const rgb = Buffer.alloc(WIDTH * HEIGHT * frames * 3);
  for (let i = 0; i < WIDTH * HEIGHT * frames; i++) {
    const x = i % WIDTH;
    const y = Math.floor(i / WIDTH) % HEIGHT;
    const frame = Math.floor(i / (WIDTH * HEIGHT));
    rgb.set([(x * 255) / WIDTH, (y * 255) / HEIGHT, frame * 80], i * 3);
  }
  const raw = {
    width: WIDTH,
    height: HEIGHT * frames,
    channels: 3 as const,
    ...(frames > 1 ? { pageHeight: HEIGHT } : {}),
  };
  return sharp(rgb, { raw, animated: frames > 1 });
}

/** What a phone writes: maker, model and a comment in IFD0 and the Exif IFD, and where the photo was taken. */
function exifTags(place: string): Exif {
  return {
    IFD0: { Make: mark(`${place}-make`), Model: 'SecretModel' },
    IFD2: { UserComment: mark(`${place}-user-comment`) },
    IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 756/25', GPSLongitudeRef: 'E', GPSLongitude: '2/1 17/1 40/1' },
  };
}

/** An XMP packet whose creator is the marker for `place`. */
function xmpPacket(place: string): string {
  return (
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">' +
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" ' +
    `xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>${mark(place)}</rdf:li></rdf:Seq>` +
    '</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
  );
}

/** `image` with EXIF, XMP and a Display P3 profile, where libvips puts them in whichever format it writes. */
const tagged = (image: Sharp, place: string) =>
  image
    .withExif(exifTags(place))
    .withXmp(xmpPacket(`${place}-xmp`))
    .withIccProfile('p3');

/** The ICC profile libvips embeds for `p3`, as bytes to hide elsewhere. */
async function iccProfile(): Promise<Uint8Array> {
  const { icc } = await sharp(await picture().withIccProfile('p3').png().toBuffer()).metadata();
  return icc!;
}

/** `file` with `insert` placed at `at`. */
const splice = (file: Uint8Array, at: number, ...insert: Part[]) =>
  bytes(file.subarray(0, at), ...insert, file.subarray(at));

// --- JPEG ----------------------------------------------------------------------------------------------------

const jpeg = (image = picture()) => image.jpeg({ quality: 80 }).toBuffer();

/** Just past the leading JFIF APP0 (or SOI when there is none), where the other APPn segments go. */
function afterApp0(file: Uint8Array): number {
  return file[3] === 0xe0 ? 4 + ((file[4]! << 8) | file[5]!) : 2;
}

/** APP13 as Photoshop writes IPTC: an image resource block 0x0404 holding record 2 (City, By-line). */
function iptcSegment(place: string): Uint8Array {
  const dataset = (number: number, value: string) => bytes([0x1c, 2, number], u16beBytes(value.length), value);
  const iptc = bytes(dataset(0, '\0\x04'), dataset(90, mark(`${place}-city`)), dataset(80, 'Alice'));
  return jpegSegment(
    0xed,
    'Photoshop 3.0\0',
    '8BIM',
    u16beBytes(0x0404),
    [0, 0],
    u32beBytes(iptc.length),
    iptc,
    iptc.length % 2 ? [0] : [],
  );
}

/** An Exif APP1 whose IFD1 holds a JPEG thumbnail, as cameras write one (big-endian TIFF). */
function exifThumbnailSegment(thumbnail: Uint8Array): Uint8Array {
  const entry = (tag: number, type: number, value: number) =>
    bytes(
      u16beBytes(tag),
      u16beBytes(type),
      u32beBytes(1),
      type === 3 ? [...u16beBytes(value), 0, 0] : u32beBytes(value),
    );
  // TIFF header (8), IFD0 with one entry (18), IFD1 with three (42), then the thumbnail.
  const ifd0 = bytes(u16beBytes(1), entry(0x0112, 3, 1), u32beBytes(26));
  const ifd1 = bytes(
    u16beBytes(3),
    entry(0x0103, 3, 6),
    entry(0x0201, 4, 68),
    entry(0x0202, 4, thumbnail.length),
    u32beBytes(0),
  );
  return jpegSegment(0xe1, 'Exif\0\0', 'MM', u16beBytes(42), u32beBytes(8), ifd0, ifd1, thumbnail);
}

/** A small JPEG with a comment naming it, to stand for a thumbnail or an appended image. */
async function markedJpeg(place: string): Promise<Uint8Array> {
  const small = await jpeg(picture().resize(40, 30));
  return splice(small, afterApp0(small), jpegSegment(0xfe, mark(place)));
}

/** Just past the data of the first scan: the next marker that is not a stuffed byte or a restart marker. */
function afterFirstScan(file: Uint8Array): number {
  const sos = indexOf(file, [0xff, 0xda]);
  for (let at = sos + 2 + ((file[sos + 2]! << 8) | file[sos + 3]!); ; at++) {
    if (file[at] === 0xff && file[at + 1] !== 0 && !(file[at + 1]! >= 0xd0 && file[at + 1]! <= 0xd7)) return at;
  }
}

// --- PNG -----------------------------------------------------------------------------------------------------

const png = () => picture().png().toBuffer();
/** Just past IHDR, the first chunk (signature 8 bytes, IHDR 25). */
const AFTER_IHDR = 33;
const iend = (file: Uint8Array) => indexOf(file, 'IEND') - 4;

// --- WebP ----------------------------------------------------------------------------------------------------

/** A WebP of `chunks` behind a VP8X header that announces none of them, as the extended format allows. */
function extendedWebp(chunks: Uint8Array[]): Uint8Array {
  const u24leBytes = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
  return webp(riffChunk('VP8X', [0, 0, 0, 0], u24leBytes(WIDTH - 1), u24leBytes(HEIGHT - 1)), ...chunks);
}

// --- GIF -----------------------------------------------------------------------------------------------------

/** An application extension: an 8-byte identifier and 3-byte code, then its data in sub-blocks. */
const applicationExtension = (id: string, ...data: Part[]) => bytes([0x21, 0xff, 11], id, subBlocks(...data));

/**
 * XMP as Adobe writes it into a GIF: the packet raw, not in sub-blocks, then a 258-byte "magic trailer" (1, 255, 254,
 * …, 0, 0) that brings a reader walking it as sub-blocks, wherever it lands, to the terminator.
 */
function xmpExtension(place: string): Uint8Array {
  return bytes(
    [0x21, 0xff, 11],
    'XMP DataXMP',
    xmpPacket(place),
    [1],
    Array.from({ length: 256 }, (_, i) => 255 - i),
    [0],
  );
}

const gif = () =>
  picture(3)
    .gif({ delay: [100, 100, 100], loop: 0 })
    .toBuffer();

/** Just past the header, the logical screen and the global colour table: where the first extension may go. */
const afterGifHeader = (file: Uint8Array) => 13 + colorTableSize(file[10]!);

// --- AVIF ----------------------------------------------------------------------------------------------------

const avif = (image = picture()) => image.avif({ quality: 50, effort: 0 }).toBuffer();

interface HidingCase {
  name: string;
  /** The upload, metadata hidden in it. */
  make: () => Promise<Uint8Array>;
  /** Markers planted in the upload; each must be in its bytes or in what exiftool reads from it. */
  planted: string[];
  /** Tags (`Group:Name`) exiftool must read from the upload, so the case cannot pass by hiding nothing. */
  seen: string[];
}

const TAGGED_SEEN = [
  'IFD0:Make',
  'ExifIFD:UserComment',
  'GPS:GPSLatitude',
  'XMP-dc:Creator',
  'ICC_Profile:ProfileDescription',
];
const taggedPlanted = (place: string) => [mark(`${place}-make`), mark(`${place}-user-comment`), mark(`${place}-xmp`)];

const cases: HidingCase[] = [
  {
    name: 'JPEG with EXIF and GPS, XMP and an ICC profile',
    make: () => jpeg(tagged(picture(), 'jpeg')),
    planted: taggedPlanted('jpeg'),
    seen: TAGGED_SEEN,
  },
  {
    name: 'JPEG with IPTC in APP13',
    make: async () => {
      const file = await jpeg();
      return splice(file, afterApp0(file), iptcSegment('jpeg-iptc'));
    },
    planted: [mark('jpeg-iptc-city')],
    seen: ['IPTC:City', 'IPTC:By-line'],
  },
  {
    name: 'JPEG with a COM comment',
    make: async () => {
      const file = await jpeg();
      return splice(file, afterApp0(file), jpegSegment(0xfe, mark('jpeg-comment')));
    },
    planted: [mark('jpeg-comment')],
    seen: ['File:Comment'],
  },
  {
    name: 'JPEG with a JFXX thumbnail in APP0',
    make: async () => {
      const file = await jpeg();
      return splice(
        file,
        afterApp0(file),
        jpegSegment(0xe0, 'JFXX\0', [0x10], await markedJpeg('jpeg-jfxx-thumbnail')),
      );
    },
    planted: [mark('jpeg-jfxx-thumbnail')],
    seen: ['JFXX:ThumbnailImage'],
  },
  {
    name: 'JPEG with an EXIF thumbnail in IFD1',
    make: async () => {
      const file = await jpeg();
      return splice(file, afterApp0(file), exifThumbnailSegment(await markedJpeg('jpeg-exif-thumbnail')));
    },
    planted: [mark('jpeg-exif-thumbnail')],
    seen: ['IFD1:ThumbnailImage'],
  },
  {
    // exiftool stops reading at the first scan, so only the marker shows this one is there.
    name: 'progressive JPEG with an APP1 (XMP) after its first scan',
    make: async () => {
      const file = await picture().jpeg({ progressive: true }).toBuffer();
      return splice(
        file,
        afterFirstScan(file),
        jpegSegment(0xe1, 'http://ns.adobe.com/xap/1.0/\0', xmpPacket('jpeg-app1-after-scan')),
      );
    },
    planted: [mark('jpeg-app1-after-scan')],
    seen: [],
  },
  {
    name: 'JPEG with an image and text after EOI',
    make: async () => bytes(await jpeg(), await markedJpeg('jpeg-appended-image'), mark('jpeg-trailer')),
    planted: [mark('jpeg-appended-image'), mark('jpeg-trailer')],
    seen: [],
  },
  {
    name: 'PNG with EXIF and GPS, XMP and an ICC profile',
    make: () => tagged(picture(), 'png').png().toBuffer(),
    planted: taggedPlanted('png'),
    seen: TAGGED_SEEN,
  },
  {
    name: 'PNG with tEXt, zTXt and iTXt chunks before and after the image data',
    make: async () => {
      const file = await png();
      const before = bytes(
        pngChunk('tEXt', 'Author\0', mark('png-text')),
        pngChunk('zTXt', 'Description\0', [0], deflateSync(mark('png-ztxt'))),
        pngChunk('iTXt', 'XML:com.adobe.xmp\0', [0, 0], '\0\0', xmpPacket('png-itxt-xmp')),
      );
      const withText = splice(file, AFTER_IHDR, before);
      return splice(withText, iend(withText), pngChunk('tEXt', 'Comment\0', mark('png-text-after-idat')));
    },
    planted: [mark('png-text'), mark('png-ztxt'), mark('png-itxt-xmp'), mark('png-text-after-idat')],
    seen: ['PNG:Author', 'PNG:Description', 'XMP-dc:Creator', 'PNG:Comment'],
  },
  {
    name: 'PNG with an eXIf chunk and a lowercase exIf one',
    make: async () => {
      const exif = (place: string) =>
        bytes(
          'MM',
          u16beBytes(42),
          u32beBytes(8),
          u16beBytes(1),
          u16beBytes(0x010f),
          u16beBytes(2),
          u32beBytes(mark(place).length + 1),
          u32beBytes(26),
          u32beBytes(0),
          mark(place),
          [0],
        );
      return splice(
        await png(),
        AFTER_IHDR,
        pngChunk('eXIf', exif('png-exif')),
        pngChunk('exIf', exif('png-exif-lowercase')),
      );
    },
    planted: [mark('png-exif'), mark('png-exif-lowercase')],
    seen: ['IFD0:Make'],
  },
  {
    name: 'PNG with an iCCP profile and bytes after IEND',
    make: async () => {
      const profile = bytes(mark('png-iccp-name'), [0, 0], deflateSync(await iccProfile()));
      return bytes(splice(await png(), AFTER_IHDR, pngChunk('iCCP', profile)), mark('png-trailer'));
    },
    planted: [mark('png-iccp-name'), mark('png-trailer')],
    seen: ['ICC_Profile:ProfileDescription', 'PNG:ProfileName'],
  },
  {
    name: 'WebP with EXIF, XMP and ICCP chunks',
    make: () => tagged(picture(), 'webp').webp().toBuffer(),
    planted: taggedPlanted('webp'),
    seen: TAGGED_SEEN,
  },
  {
    name: 'WebP with lowercase-named and unknown chunks, and bytes after the RIFF',
    make: async () => {
      const image = webpChunks(await picture().webp().toBuffer()).map(({ chunk }) => chunk);
      const hidden = [
        riffChunk('exif', 'Exif\0\0', mark('webp-exif-lowercase')),
        riffChunk('xmp ', xmpPacket('webp-xmp-lowercase')),
        riffChunk('iccp', mark('webp-iccp-lowercase')),
        riffChunk('META', mark('webp-unknown-chunk')),
      ];
      return bytes(extendedWebp([...image, ...hidden]), mark('webp-trailer'));
    },
    planted: [
      mark('webp-exif-lowercase'),
      mark('webp-xmp-lowercase'),
      mark('webp-iccp-lowercase'),
      mark('webp-unknown-chunk'),
      mark('webp-trailer'),
    ],
    seen: ['RIFF:Unknown_exif', 'RIFF:Unknown_xmp', 'RIFF:Unknown_iccp', 'RIFF:Unknown_META'],
  },
  {
    name: 'animated WebP with EXIF and XMP',
    make: () =>
      tagged(picture(3), 'webp-animated')
        .webp({ delay: [100, 100, 100], loop: 0 })
        .toBuffer(),
    planted: taggedPlanted('webp-animated'),
    seen: TAGGED_SEEN,
  },
  {
    name: 'animated GIF with comments, and XMP, ICC and unknown application extensions',
    make: async () => {
      const file = await gif();
      const extensions = bytes(
        [0x21, 0xfe],
        subBlocks(mark('gif-comment')),
        xmpExtension('gif-xmp'),
        applicationExtension('ICCRGBG1012', await iccProfile()),
        applicationExtension('SECRETAP1.0', mark('gif-application')),
      );
      const withComment = splice(file, file.length - 1, [0x21, 0xfe], subBlocks(mark('gif-comment-after-frames')));
      return splice(withComment, afterGifHeader(file), extensions);
    },
    planted: [mark('gif-comment'), mark('gif-xmp'), mark('gif-application'), mark('gif-comment-after-frames')],
    seen: ['File:Comment', 'XMP-dc:Creator', 'ICC_Profile:ProfileDescription', 'GIF:FrameCount'],
  },
  {
    name: 'animated GIF with bytes after the trailer',
    make: async () => bytes(await gif(), mark('gif-trailer')),
    planted: [mark('gif-trailer')],
    seen: ['GIF:FrameCount'],
  },
  {
    name: 'AVIF with Exif and XMP items and an ICC profile',
    make: () => avif(tagged(picture(), 'avif')),
    planted: taggedPlanted('avif'),
    seen: TAGGED_SEEN,
  },
  {
    name: 'AVIF with a uuid box after the image data',
    make: async () => bytes(await avif(), box('uuid', '0123456789abcdef', mark('avif-uuid'))),
    planted: [mark('avif-uuid')],
    seen: ['QuickTime:UUID-Unknown'],
  },
];

/**
 * What a served WebP may say about itself: the file's own facts and the structure of the bitstream. Anything else
 * (an EXIF, GPS, XMP, IPTC, ICC or comment tag, a thumbnail, a trailer or an unknown chunk) came from the upload.
 */
const SERVED_TAGS = new RegExp(
  '^(SourceFile|ExifTool:ExifToolVersion|System:\\w+|File:(FileType|FileTypeExtension|MIMEType)' +
    '|RIFF:(WebP_Flags|ImageWidth|ImageHeight|VP8Version|HorizontalScale|VerticalScale|VP8LVersion|AlphaIsUsed' +
    '|AlphaPreprocessing|AlphaFiltering|AlphaCompression|BackgroundColor|AnimationLoopCount|Duration)' +
    '|Composite:(ImageSize|Megapixels))$',
);

const execFileAsync = promisify(execFile);

describe('what the service serves carries nothing of the upload but its pixels', () => {
  let dir: string;
  let app: ReturnType<typeof createApp>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pictures-metadata-'));
    app = createApp({
      cache: createMemoryCache(),
      storage: createFileStorage({ dir: join(dir, 'storage') }),
      events: createMemoryEventBus(),
      auth: { adminToken: TEST_ADMIN_TOKEN },
      log: { warn() {}, error() {} },
    });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** What exiftool reads from each file: every tag of every group, duplicates and unknown ones too. */
  async function exiftool(name: string, files: Uint8Array[]): Promise<Record<string, unknown>[]> {
    const paths = await Promise.all(
      files.map(async (file, i) => {
        const path = join(dir, `${name}-${i}`);
        await writeFile(path, file);
        return path;
      }),
    );
    const { stdout } = await execFileAsync('exiftool', ['-j', '-G1', '-a', '-u', '-b', ...paths], {
      maxBuffer: 64 * 1024 * 1024,
    });
    const read = JSON.parse(stdout) as Record<string, unknown>[];
    return paths.map((path) => read.find((tags) => tags.SourceFile === path)!);
  }

  /** Every file a lookup names: each variant (`url` among them). Its preview is three colours, written out. */
  async function served(meta: PictureMeta): Promise<{ what: string; data: Uint8Array }[]> {
    const urls = [...new Set([...meta.variants.map((variant) => variant.url), meta.url])];
    const files = await Promise.all(
      urls.map(async (url) => {
        const res = await app.request(url);
        assert.equal(res.status, 200, url);
        assert.equal(res.headers.get('Content-Type'), 'image/webp', url);
        return { what: url, data: new Uint8Array(await res.arrayBuffer()) };
      }),
    );
    assert.match(meta.preview ?? '', /^[0-9a-f]{18}$/, 'the preview is 9 bytes of colour, nothing else');
    return files;
  }

  for (const [i, { name, make, planted, seen }] of cases.entries()) {
    test(name, async () => {
      const upload = await make();
      const [input] = await exiftool(`upload-${i}`, [upload]);
      const inputText = JSON.stringify(input);
      for (const marker of planted)
        assert.ok(indexOf(upload, marker) >= 0 || inputText.includes(marker), `the upload does not hold ${marker}`);
      for (const tag of seen)
        assert.ok(tag in input!, `exiftool does not read ${tag} from the upload: ${Object.keys(input!).join(', ')}`);

      const res = await app.request(`/api/pictures/hidden-${i}`, {
        method: 'PUT',
        body: new Uint8Array(upload),
        headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      assert.equal(res.status, 201, await res.clone().text());
      const files = await served((await res.json()) as PictureMeta);
      const read = await exiftool(
        `served-${i}`,
        files.map((file) => file.data),
      );
      for (const [j, { what, data }] of files.entries()) {
        const tags = read[j]!;
        const foreign = Object.keys(tags).filter((tag) => !SERVED_TAGS.test(tag));
        assert.deepEqual(
          foreign,
          [],
          `${what} carries ${foreign.map((tag) => `${tag}=${JSON.stringify(tags[tag]).slice(0, 80)}`).join(', ')}`,
        );
        assert.doesNotMatch(
          String(tags['RIFF:WebP_Flags'] ?? ''),
          /EXIF|XMP|ICC/,
          `${what}: its VP8X header announces metadata`,
        );
        assert.equal(indexOf(data, 'planted-'), -1, `${what} holds a planted marker`);
        assert.ok(!JSON.stringify(tags).includes('planted-'), `${what}: exiftool reads a planted marker`);
      }
    });
  }
});
