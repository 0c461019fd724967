/**
 * What the emulated providers charge, and the accounts that pay: the price APIs (WaveSpeed
 * `POST /api/v3/model/price`, fal `GET /v1/models/pricing`), the balances (WaveSpeed
 * `GET /api/v3/balance`, fal `GET /v1/account/billing?expand=credits` for admin keys and
 * `GET {rest}/billing/user_balance` for any key), and the refusal of a submit the account
 * cannot pay for. Each job's price is taken from the balance when it is created.
 *
 * Prices per model (sources: shared/seeds and /tmp/research/provider-facts.md §8):
 * - wavespeed-ai/lynx: $0.50 a clip (seed page).
 * - bytedance/seedance-v1-lite-i2v-720p: $0.032 per second of `duration` (seed page, default 5).
 * - wavespeed-ai/ltx-video-v097/i2v-720p, bytedance/seedance-v1-lite/reference-to-video: no
 *   price published; the emulator answers $0.20 and $0.18 (assumed, so that the price API has
 *   something to say for every model it serves).
 * - fal bytedance/lynx: $0.60 per second of video ("$0.6 per seconds", fal's llms.txt).
 *
 * Refusals for lack of credit: fal answers HTTP 403 `{"detail":"User is locked. Reason:
 * Exhausted balance. Top up your balance at fal.ai/dashboard/billing"}` (fal-ai/fal issues
 * #1147, #1112). WaveSpeed's answer is not documented anywhere we found; the emulator answers
 * HTTP 402 `{code: 402, message: 'Insufficient balance, please top up your account'}`
 * (assumed).
 */
import type { Provider } from './emulator';

export type PriceRule =
	| { kind: 'flat'; usd: number }
	| { kind: 'perSecond'; usd: number; field: string; default: number };

export interface FalUnitPrice {
	endpoint_id: string;
	unit_price: number;
	unit: string;
	currency: string;
}

const WAVESPEED_PRICES: Record<string, PriceRule> = {
	'wavespeed-ai/lynx': { kind: 'flat', usd: 0.5 },
	'bytedance/seedance-v1-lite-i2v-720p': { kind: 'perSecond', usd: 0.032, field: 'duration', default: 5 },
	'wavespeed-ai/ltx-video-v097/i2v-720p': { kind: 'flat', usd: 0.2 },
	'bytedance/seedance-v1-lite/reference-to-video': { kind: 'flat', usd: 0.18 },
};

const FAL_PRICES: Record<string, FalUnitPrice> = {
	'bytedance/lynx': { endpoint_id: 'bytedance/lynx', unit_price: 0.6, unit: 'seconds', currency: 'USD' },
};

/** Seconds of video a fal job makes, where the emulator can tell (for per-second prices). */
function falSeconds(endpoint: string, input: Record<string, unknown>): number | undefined {
	if (endpoint === 'bytedance/lynx') {
		return Number(input.num_frames ?? 81) / Number(input.frames_per_second ?? 16);
	}
	return undefined;
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

export const FAL_LOCKED = {
	detail: 'User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing',
};
export const WAVESPEED_NO_CREDIT = { code: 402, message: 'Insufficient balance, please top up your account' };

export class Billing {
	readonly balances: Record<Provider, number> = { wavespeed: 100, fal: 100 };

	private wavespeedRules: Record<string, PriceRule> = { ...WAVESPEED_PRICES };

	private falRules: Record<string, FalUnitPrice> = { ...FAL_PRICES };

	reset(): void {
		this.balances.wavespeed = 100;
		this.balances.fal = 100;
		this.wavespeedRules = { ...WAVESPEED_PRICES };
		this.falRules = { ...FAL_PRICES };
	}

	/** Adds or replaces price rules (catalogue fixtures bring their own). */
	addPrices(wavespeed: Record<string, PriceRule>, fal: Record<string, FalUnitPrice>): void {
		Object.assign(this.wavespeedRules, wavespeed);
		Object.assign(this.falRules, fal);
	}

	/** WaveSpeed's price for a job of `model` with `inputs`; undefined for a model without one. */
	waveSpeedPrice(model: string, inputs: Record<string, unknown>): number | undefined {
		const rule = this.wavespeedRules[model];
		if (!rule) return undefined;
		if (rule.kind === 'flat') return rule.usd;
		const seconds = Number(inputs[rule.field] ?? rule.default);
		return round(rule.usd * (Number.isFinite(seconds) ? seconds : rule.default));
	}

	falUnitPrice(endpoint: string): FalUnitPrice | undefined {
		return this.falRules[endpoint];
	}

	/** What a job costs, as the emulator bills it (0 when it cannot tell). */
	jobPrice(provider: Provider, model: string, input: Record<string, unknown>): number {
		if (provider === 'wavespeed') return this.waveSpeedPrice(model, input) ?? 0;
		const unit = this.falUnitPrice(model);
		if (!unit) return 0;
		if (unit.unit === 'seconds') return round(unit.unit_price * (falSeconds(model, input) ?? 0));
		return unit.unit_price;
	}

	/** Takes the job's price from the balance; false (and nothing taken) when it does not cover it. */
	charge(provider: Provider, usd: number): boolean {
		if (usd > 0 && this.balances[provider] < usd) return false;
		this.balances[provider] = round(this.balances[provider] - usd);
		return true;
	}
}
