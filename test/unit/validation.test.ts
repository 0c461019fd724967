/** Validation and request bodies derived from the tables: pure, before any request. */
import type { IDataObject } from 'n8n-workflow';

import { checkImageValue, modelProperties, validateParams } from '../../nodes/shared/model';
import type { RawModelParams } from '../../nodes/shared/model';
import { falLynx } from '../../nodes/shared/models/fal/lynx';
import type { ModelSpec } from '../../nodes/shared/models/types';
import { waveSpeedLtxVideoI2v720p } from '../../nodes/shared/models/wavespeed/ltxVideoI2v720p';
import { waveSpeedLynx } from '../../nodes/shared/models/wavespeed/lynx';
import { waveSpeedSeedanceLiteI2v720p } from '../../nodes/shared/models/wavespeed/seedanceLiteI2v720p';
import { waveSpeedSeedanceLiteReferenceToVideo } from '../../nodes/shared/models/wavespeed/seedanceLiteReferenceToVideo';
import { dataUri, jpeg, png } from '../fixtures/images';

const IMG = 'https://cdn.example.com/photo.jpg';

function raw(topLevel: Record<string, unknown>, additionalFields: IDataObject = {}, imageSource: 'url' | 'binary' = 'url'): RawModelParams {
	return { topLevel, additionalFields, imageSource };
}

function problemsOf(model: ModelSpec, params: RawModelParams): string[] {
	return validateParams(model, params).problems.map((p) => `${p.field} ${p.problem}${p.allowed ? ` | ${p.allowed}` : ''}`);
}

describe('request bodies', () => {
	it('maps camelCase parameters to the API fields and leaves unset optionals out', () => {
		const { result } = validateParams(falLynx, raw({ imageUrl: IMG, prompt: 'a cat' }, { numFrames: 33, guidanceScale2: 3.5, aspectRatio: '9:16' }));
		expect(result?.body).toEqual({ image_url: IMG, prompt: 'a cat', num_frames: 33, guidance_scale_2: 3.5, aspect_ratio: '9:16' });
	});

	it('sends only the required fields of WaveSpeed Lynx when nothing optional is set', () => {
		const { result } = validateParams(waveSpeedLynx, raw({ prompt: 'walks', image: IMG }));
		expect(result?.body).toEqual({ prompt: 'walks', image: IMG });
	});

	it('splits reference images given one per line or comma separated, and takes arrays from expressions', () => {
		const lines = validateParams(waveSpeedSeedanceLiteReferenceToVideo, raw({ prompt: 'p', referenceImages: `${IMG}\n https://x.example.com/b.png ,https://x.example.com/c.png\n\n` }));
		expect(lines.result?.body.reference_images).toEqual([IMG, 'https://x.example.com/b.png', 'https://x.example.com/c.png']);
		const array = validateParams(waveSpeedSeedanceLiteReferenceToVideo, raw({ prompt: 'p', referenceImages: [IMG] }));
		expect(array.result?.body.reference_images).toEqual([IMG]);
	});

	it('accepts numbers given as strings by expressions, and booleans as "true"/"false"', () => {
		const { result } = validateParams(waveSpeedSeedanceLiteI2v720p, raw({ image: IMG, prompt: '' }, { duration: '10', cameraFixed: 'true', seed: '42' }));
		expect(result?.body).toEqual({ image: IMG, duration: 10, camera_fixed: true, seed: 42 });
	});

	it('leaves an empty top-level optional prompt out (Seedance I2V)', () => {
		expect(validateParams(waveSpeedSeedanceLiteI2v720p, raw({ image: IMG, prompt: '   ' })).result?.body).toEqual({ image: IMG });
	});

	it('marks the main image as coming from binary instead of reading the URL field', () => {
		const { result } = validateParams(waveSpeedLynx, raw({ prompt: 'p' }, {}, 'binary'));
		expect(result).toEqual({ body: { prompt: 'p' }, binaryImageField: 'image' });
	});
});

describe('bad input is named with the field and what is allowed', () => {
	it.each<[string, ModelSpec, Record<string, unknown>, IDataObject, RegExp]>([
		['missing prompt', waveSpeedLynx, { image: IMG, prompt: '' }, {}, /^Prompt is required/],
		['whitespace prompt', falLynx, { imageUrl: IMG, prompt: ' \n ' }, {}, /^Prompt is required/],
		['unknown enum value', waveSpeedLynx, { image: IMG, prompt: 'p' }, { aspectRatio: '4:3' }, /^Aspect Ratio must be one of 16:9, 9:16, 1:1 \(got "4:3"\)/],
		['duration 13 outside the Seedance Lite I2V list', waveSpeedSeedanceLiteI2v720p, { image: IMG }, { duration: 13 }, /^Duration must be one of 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 \(got 13\)/],
		['duration out of range', waveSpeedSeedanceLiteReferenceToVideo, { prompt: 'p', referenceImages: IMG }, { duration: 11 }, /^Duration is out of range \(got 11\) \| A whole number from 5 to 10/],
		['float where an integer is required', falLynx, { imageUrl: IMG, prompt: 'p' }, { numFrames: 20.5 }, /^Number of Frames must be a whole number \(got 20.5\)/],
		['NaN', falLynx, { imageUrl: IMG, prompt: 'p' }, { framesPerSecond: Number.NaN }, /^Frames per Second must be a number \(got NaN\)/],
		['negative frame rate', falLynx, { imageUrl: IMG, prompt: 'p' }, { framesPerSecond: -3 }, /^Frames per Second is out of range \(got -3\) \| A whole number from 5 to 30/],
		['a word where a number goes', waveSpeedLtxVideoI2v720p, { image: IMG, prompt: 'p' }, { seed: 'abc' }, /^Seed must be a number \(got "abc"\)/],
		['seed above the range', waveSpeedLtxVideoI2v720p, { image: IMG, prompt: 'p' }, { seed: 2147483648 }, /^Seed is out of range/],
		['10 000-character prompt where 2 000 are allowed', waveSpeedSeedanceLiteI2v720p, { image: IMG, prompt: 'x'.repeat(10_000) }, {}, /^Prompt is 10000 characters long \| At most 2000 characters/],
		['five reference images where four are allowed', waveSpeedSeedanceLiteReferenceToVideo, { prompt: 'p', referenceImages: Array.from({ length: 5 }, (_, i) => `https://x.example.com/${i}.png`) }, {}, /^Reference Images has 5 images; at most 4 are allowed/],
		['no reference image', waveSpeedSeedanceLiteReferenceToVideo, { prompt: 'p', referenceImages: ' \n ' }, {}, /^Reference Images is required/],
		['javascript: URL', waveSpeedLynx, { prompt: 'p', image: 'javascript:alert(1)' }, {}, /^Image uses javascript:, which the provider cannot fetch/],
		['file: URL', falLynx, { prompt: 'p', imageUrl: 'file:///etc/passwd' }, {}, /^Image is a file on this computer \("file:\/\/\/etc\/passwd"\), which the provider cannot reach: read it with/],
		['private address', waveSpeedLynx, { prompt: 'p', image: 'http://192.168.1.10/a.png' }, {}, /^Image points at 192\.168\.1\.10, a private network address: the provider downloads the image from the internet and cannot reach it/],
		['localhost', waveSpeedLynx, { prompt: 'p', image: 'http://localhost:8080/a.png' }, {}, /^Image points at localhost, a loopback name/],
		['two URLs in a single image field', waveSpeedLynx, { prompt: 'p', image: `${IMG}\nhttps://x.example.com/b.png` }, {}, /^Image has more than one line; give one URL/],
		['not a URL', waveSpeedLynx, { prompt: 'p', image: 'my photo.jpg' }, {}, /^Image "my photo.jpg" is not a URL/],
		['an unknown additional field', waveSpeedLynx, { prompt: 'p', image: IMG }, { size: '1280*720' }, /^Additional Fields "size" is not a field of this model/],
		['a non-image data URI', falLynx, { prompt: 'p', imageUrl: `data:text/plain;base64,${Buffer.from('hello world').toString('base64')}` }, {}, /is not a recognised image/],
		['a GIF where JPG/PNG are required', waveSpeedLynx, { prompt: 'p', image: dataUri(Buffer.from('GIF89a\u0001\u0000\u0001\u0000', 'latin1'), 'image/gif') }, {}, /is a GIF image; allowed: JPG, PNG/],
		['an image below 300×300 px', waveSpeedSeedanceLiteI2v720p, { image: dataUri(png(200, 400)) }, {}, /is 200×400 px; it must be at least 300×300 px/],
		['an image over 10 MB', waveSpeedSeedanceLiteI2v720p, { image: dataUri(png(400, 400, 11 * 1024 * 1024)) }, {}, /is 11 MB; the limit is 10 MB/],
	])('rejects %s', (_case, model, top, additional, pattern) => {
		const problems = problemsOf(model, raw(top, additional));
		expect(problems.length).toBeGreaterThan(0);
		expect(problems[0]).toMatch(pattern);
	});

	it('reports every problem of an item, not only the first', () => {
		const problems = problemsOf(falLynx, raw({ imageUrl: '', prompt: '' }, { numFrames: 500, resolution: '1080p' }));
		expect(problems).toHaveLength(4);
	});

	it('accepts a JPEG data URI of 300×300 for Seedance I2V', () => {
		expect(problemsOf(waveSpeedSeedanceLiteI2v720p, raw({ image: dataUri(jpeg(300, 300), 'image/jpeg') }))).toEqual([]);
	});
});

describe('reference image lists: one per line always works, commas only between entries', () => {
	const CLOUDINARY_A = 'https://res.cloudinary.com/demo/image/upload/w_300,h_300/a.jpg';
	const CLOUDINARY_B = 'https://res.cloudinary.com/demo/image/upload/c_fill,g_face,w_400/b.png';
	const listOf = (referenceImages: unknown) =>
		validateParams(waveSpeedSeedanceLiteReferenceToVideo, raw({ prompt: 'p', referenceImages }));
	const PNG = dataUri(png(64, 64));
	const JPG = dataUri(jpeg(300, 300), 'image/jpeg');

	it('keeps URLs with commas whole, one per line', () => {
		const { result, problems } = listOf(`${CLOUDINARY_A}\n${CLOUDINARY_B}`);
		expect(problems).toEqual([]);
		expect(result?.body.reference_images).toEqual([CLOUDINARY_A, CLOUDINARY_B]);
	});

	it('keeps data: URIs whole, one per line (CRLF too)', () => {
		const { result, problems } = listOf(`${PNG}\r\n${JPG}\r\n`);
		expect(problems).toEqual([]);
		expect(result?.body.reference_images).toEqual([PNG, JPG]);
	});

	it('still splits a line at commas where the next URL or data: URI begins', () => {
		expect(listOf(`${IMG}, https://x.example.com/b.png,https://x.example.com/c.png`).result?.body.reference_images).toEqual([
			IMG,
			'https://x.example.com/b.png',
			'https://x.example.com/c.png',
		]);
		expect(listOf(`${CLOUDINARY_A}, ${PNG} ,${CLOUDINARY_B}`).result?.body.reference_images).toEqual([CLOUDINARY_A, PNG, CLOUDINARY_B]);
	});

	it('does not split at a comma inside a URL that is followed by more of the URL', () => {
		const url = 'https://img.example.com/pick?ids=1,2,3&fit=crop,faces';
		expect(listOf(url).result?.body.reference_images).toEqual([url]);
	});

	it('joins a data: URI whose base64 is wrapped over lines, and sends it without the breaks', () => {
		const wrapped = PNG.replace(/(.{76})/g, '$1\n');
		expect(wrapped.split('\n').length).toBeGreaterThan(2);
		const { result, problems } = listOf(`${wrapped}\n${IMG}`);
		expect(problems).toEqual([]);
		expect(result?.body.reference_images).toEqual([PNG, IMG]);
	});

	it('takes an array from an expression element by element, commas and all', () => {
		expect(listOf([CLOUDINARY_A, PNG]).result?.body.reference_images).toEqual([CLOUDINARY_A, PNG]);
	});

	it('counts entries after splitting: five lines with commas inside are five images, over the limit of four', () => {
		const five = Array.from({ length: 5 }, (_, i) => `https://res.cloudinary.com/demo/image/upload/w_${i},h_${i}/x.jpg`).join('\n');
		expect(problemsOf(waveSpeedSeedanceLiteReferenceToVideo, raw({ prompt: 'p', referenceImages: five }))[0]).toMatch(/has 5 images; at most 4/);
	});

	it('names the entry that is not a URL', () => {
		expect(problemsOf(waveSpeedSeedanceLiteReferenceToVideo, raw({ prompt: 'p', referenceImages: `${IMG}\nhttp://10.0.0.1/x.png` }))[0]).toMatch(
			/^Reference Images entry 2 points at 10\.0\.0\.1, a private network address/,
		);
	});
});

describe('image field descriptions say what is checked before anything is sent', () => {
	const description = (model: ModelSpec, name: string) => {
		const properties = modelProperties(model);
		const all = [...properties, ...properties.flatMap((p) => (p.options ?? []) as typeof properties)];
		return String(all.find((p) => p.name === name)?.description);
	};

	it('names the file checks the rules apply, and that a link is checked only for its address', () => {
		expect(description(waveSpeedSeedanceLiteI2v720p, 'image')).toMatch(
			/Checked before anything is paid for: an image file or data: URI for format, file size and pixel size, a link for pointing at a public address/,
		);
		expect(description(waveSpeedSeedanceLiteI2v720p, 'lastImage')).toMatch(/: a data: URI for format, file size and pixel size, a link for/);
		expect(description(falLynx, 'imageUrl')).toMatch(/: an image file or data: URI for format, a link for/);
		expect(description(waveSpeedSeedanceLiteReferenceToVideo, 'referenceImages')).toMatch(
			/data: URI per line.*Checked before anything is paid for: each data: URI for format, each link for pointing at a public address/,
		);
	});
});

describe('checkImageValue', () => {
	const field = waveSpeedLynx.fields[1];
	it.each(['https://example.com/a.png', 'http://images.example.org/x?y=1'])('accepts %s', (url) => {
		expect(checkImageValue(url, field)).toBeNull();
	});
	it.each(['http://127.0.0.1/a.png', 'http://10.0.0.5/a.png', 'http://172.20.1.1/a.png', 'http://[::1]/a.png', 'http://169.254.169.254/latest', 'https://user:pw@example.com/a.png', 'ftp://example.com/a.png', 'data:image/png;base64,'])(
		'rejects %s',
		(url) => expect(checkImageValue(url, field)).not.toBeNull(),
	);
});

describe('text length limits', () => {
	it.each<[string, ModelSpec, Record<string, unknown>, RegExp]>([
		['Seedance Lite Reference to Video: the 2 000 characters WaveSpeed states', waveSpeedSeedanceLiteReferenceToVideo, { prompt: 'x'.repeat(2001), referenceImages: IMG }, /^Prompt is 2001 characters long \| At most 2000 characters/],
		['WaveSpeed Lynx: no stated limit, a sane cap of 10 000', waveSpeedLynx, { image: IMG, prompt: 'x'.repeat(10_001) }, /^Prompt is 10001 characters long \| At most 10000 characters/],
		['fal Lynx: the same cap for the negative prompt', falLynx, { imageUrl: IMG, prompt: 'p', negativePrompt: 'x'.repeat(10_001) }, /^Negative Prompt is 10001 characters long/],
	])('refuses %s', (_case, model, top, pattern) => {
		const { negativePrompt, ...rest } = top;
		const problems = problemsOf(model, raw(rest, negativePrompt === undefined ? {} : { negativePrompt: negativePrompt as string }));
		expect(problems[0]).toMatch(pattern);
	});

	it('lets the longest allowed prompts through', () => {
		expect(problemsOf(waveSpeedSeedanceLiteReferenceToVideo, raw({ prompt: 'x'.repeat(2000), referenceImages: IMG }))).toEqual([]);
		expect(problemsOf(waveSpeedLynx, raw({ image: IMG, prompt: 'x'.repeat(10_000) }))).toEqual([]);
	});
});
