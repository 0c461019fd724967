/**
 * What the emulated providers charge, and the accounts that pay: the price APIs (WaveSpeed
 * `POST /api/v3/model/price`, fal `GET /v1/models/pricing`), the balances (WaveSpeed
 * `GET /api/v3/balance`, fal `GET /v1/account/billing?expand=credits` for admin keys and
 * `GET {rest}/billing/user_balance` for any key), and the refusal of a submit the account
 * cannot pay for. Each job's price is taken from the balance when it is created, at the same
 * price the price APIs answer.
 *
 * Where the prices come from:
 * - WaveSpeed: `catalog/wavespeed/prices.json`, one rule per catalogue model (flat, perSecond,
 *   table; see catalog/README.md), each with its sources. A rule `unknown` means no price was
 *   found: the price API answers 404 and the job costs nothing, except for two seed models
 *   whose stand-ins below the tests rely on.
 * - Stand-ins (assumed, no price published anywhere we looked):
 *   wavespeed-ai/ltx-video-v097/i2v-720p $0.20 and bytedance/seedance-v1-lite/reference-to-video
 *   $0.18 a job, so that the seed nodes' price checks have an answer (test/integration/nodes.test.ts
 *   and spend.test.ts expect these two figures).
 * - fal: `catalog/fal/pricing.json`, one `{endpoint_id, unit_price, unit, currency}` per
 *   endpoint (an endpoint without an entry has no price: absent from `prices`).
 *   A job costs `unit_price` × the units it makes, where the emulator can tell: `seconds` from
 *   Lynx's `num_frames / frames_per_second` (81 / 16 by default) or else the input's `duration`
 *   ("5", "8s", 4; the schema default when not given); `video`/`videos`/`image`/`images` per
 *   job. Other units (`megapixels`, `1000 tokens`, GPU time) cost nothing here.
 *
 * Refusals for lack of credit: fal answers HTTP 403 `{"detail":"User is locked. Reason:
 * Exhausted balance. Top up your balance at fal.ai/dashboard/billing"}` (fal-ai/fal issues
 * #1147, #1112). WaveSpeed's answer is not documented anywhere we found; the emulator answers
 * HTTP 402 `{code: 402, message: 'Insufficient balance, please top up your account'}`
 * (assumed).
 */
import { evaluatePriceRule, falPricingEntries, stripNotes, waveSpeedPriceEntries } from './catalog';
import type { FalPrice, WaveSpeedPriceRule } from './catalog';
import type { Provider } from './emulator';

export type PriceRule = WaveSpeedPriceRule;
export type FalUnitPrice = FalPrice;

/** Seed models without a published price, answered anyway (assumed; see the header). */
const SEED_STAND_INS: Record<string, PriceRule> = {
	'wavespeed-ai/ltx-video-v097/i2v-720p': { kind: 'flat', usd: 0.2 },
	'bytedance/seedance-v1-lite/reference-to-video': { kind: 'flat', usd: 0.18 },
};

let fixtureRules: { wavespeed: Record<string, PriceRule>; fal: Record<string, FalUnitPrice> } | undefined;

/** The fixtures' prices (read once), with the stand-ins where a seed's rule is `unknown`. */
function loadRules() {
	if (!fixtureRules) {
		const wavespeed: Record<string, PriceRule> = {};
		for (const [model, entry] of Object.entries(waveSpeedPriceEntries())) {
			wavespeed[model] = entry.rule.kind === 'unknown' && SEED_STAND_INS[model] ? SEED_STAND_INS[model] : entry.rule;
		}
		const fal: Record<string, FalUnitPrice> = {};
		for (const [endpoint, entry] of Object.entries(falPricingEntries())) fal[endpoint] = stripNotes(entry);
		fixtureRules = { wavespeed, fal };
	}
	return fixtureRules;
}

/** Seconds of video a fal job makes, where the emulator can tell (for per-second prices). */
function falSeconds(endpoint: string, input: Record<string, unknown>): number | undefined {
	if (endpoint === 'bytedance/lynx') {
		return Number(input.num_frames ?? 81) / Number(input.frames_per_second ?? 16);
	}
	const raw = input.duration;
	const seconds = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseFloat(raw) : NaN;
	return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

const PER_JOB_UNITS = new Set(['video', 'videos', 'image', 'images', 'request', 'requests', 'generation']);

export const FAL_LOCKED = {
	detail: 'User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing',
};
export const WAVESPEED_NO_CREDIT = { code: 402, message: 'Insufficient balance, please top up your account' };

export class Billing {
	readonly balances: Record<Provider, number> = { wavespeed: 100, fal: 100 };

	private wavespeedRules: Record<string, PriceRule> = { ...loadRules().wavespeed };

	private falRules: Record<string, FalUnitPrice> = { ...loadRules().fal };

	reset(): void {
		this.balances.wavespeed = 100;
		this.balances.fal = 100;
		this.wavespeedRules = { ...loadRules().wavespeed };
		this.falRules = { ...loadRules().fal };
	}

	/** Adds or replaces price rules (for models a test adds to the catalogue). */
	addPrices(wavespeed: Record<string, PriceRule>, fal: Record<string, FalUnitPrice>): void {
		Object.assign(this.wavespeedRules, wavespeed);
		Object.assign(this.falRules, fal);
	}

	/** Whether WaveSpeed has a price rule (possibly `unknown`) for the model. */
	hasWaveSpeedRule(model: string): boolean {
		return model in this.wavespeedRules;
	}

	/**
	 * WaveSpeed's price for a job of `model` with `inputs`; undefined for a model without one
	 * (rule `unknown`, no rule, or a table without a row for these inputs).
	 */
	waveSpeedPrice(model: string, inputs: Record<string, unknown>): number | undefined {
		const rule = this.wavespeedRules[model];
		return rule ? evaluatePriceRule(rule, inputs) : undefined;
	}

	falUnitPrice(endpoint: string): FalUnitPrice | undefined {
		return this.falRules[endpoint];
	}

	/**
	 * What a job costs, as the emulator bills it (0 when it cannot tell). `input` should carry
	 * the schema's defaults for what the client left out.
	 */
	jobPrice(provider: Provider, model: string, input: Record<string, unknown>): number {
		if (provider === 'wavespeed') return this.waveSpeedPrice(model, input) ?? 0;
		const unit = this.falUnitPrice(model);
		if (!unit) return 0;
		const name = unit.unit.trim().toLowerCase();
		if (name === 'seconds' || name === 'second') return round(unit.unit_price * (falSeconds(model, input) ?? 0));
		if (PER_JOB_UNITS.has(name)) return unit.unit_price;
		return 0;
	}

	/** Takes the job's price from the balance; false (and nothing taken) when it does not cover it. */
	charge(provider: Provider, usd: number): boolean {
		if (usd > 0 && this.balances[provider] < usd) return false;
		this.balances[provider] = round(this.balances[provider] - usd);
		return true;
	}
}
