import { parseJsonExact } from '../../nodes/shared/json';

describe('parseJsonExact', () => {
	it('keeps an integer beyond 2^53 exact, as its decimal string (a real fal seed)', () => {
		const text = '{"seed":17454220438242315174,"video":{"url":"https://x/v.mp4"}}';
		expect(String(JSON.parse(text).seed)).not.toBe("17454220438242315174"); // JSON.parse rounds it
		expect(parseJsonExact(text)).toEqual({ seed: '17454220438242315174', video: { url: 'https://x/v.mp4' } });
	});

	it('leaves safe integers, floats, exponents and negative numbers as numbers', () => {
		const text = '[9007199254740991,-9007199254740991,1.5,-2e3,0,1E400,123456789012345678.5]';
		expect(parseJsonExact(text)).toEqual(JSON.parse(text));
	});

	it('quotes large negative integers and integers nested in arrays', () => {
		expect(parseJsonExact('{"a":[1,-9007199254740993,{"b":99999999999999999999}]}')).toEqual({
			a: [1, '-9007199254740993', { b: '99999999999999999999' }],
		});
	});

	it('never touches digits inside strings, escaped quotes included', () => {
		const text = '{"s":"12345678901234567890","t":"say \\"98765432109876543210\\" now","u":"\\\\","n":12345678901234567890}';
		expect(parseJsonExact(text)).toEqual({
			s: '12345678901234567890',
			t: 'say "98765432109876543210" now',
			u: '\\',
			n: '12345678901234567890',
		});
	});

	it('throws on malformed JSON as JSON.parse does', () => {
		expect(() => parseJsonExact('{"request_id":"')).toThrow(SyntaxError);
		expect(() => parseJsonExact('')).toThrow(SyntaxError);
	});
});
