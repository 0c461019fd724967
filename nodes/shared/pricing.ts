/**
 * One price per item, before anything is bought: the provider's price API where it has one
 * (WaveSpeed prices the inputs; fal gives a unit price that the model turns into a price per
 * job), else the model table's published price, else unknown (null, never a guess). Identical
 * inputs are priced once per run, and a price API that fails only costs the provider's figure.
 */
import { errorMessage } from './errors';
import { fingerprint } from './ledger';
import type { ModelSpec, RequestBody } from './models/types';
import type { CallContext, ProviderPrice, ProviderTransport } from './providers/types';

/** Where an item's price came from (shared/interface.md, "Spend control"). */
export type CostSource = 'provider' | 'table' | null;

export interface ItemPrice {
	usd: number | null;
	source: CostSource;
}

/** Cents stay exact in sums: prices are kept to the micro-dollar. */
export const roundUsd = (usd: number): number => Math.round(usd * 1e6) / 1e6;

const PER_JOB = /^(video|videos|generation|generations|request|requests|call|calls)$/;
const PER_SECOND = /^(second|seconds|video ?seconds?|seconds? of video)$/;
const PER_IMAGE = /^(image|images)$/;

/** A unit price made a job's price, where the unit and the inputs allow it; null otherwise. */
export function priceFromUnit(model: ModelSpec, body: RequestBody, unitPrice: number, unit: string): number | null {
	const name = unit.trim().toLowerCase();
	if (PER_JOB.test(name)) return roundUsd(unitPrice);
	if (PER_SECOND.test(name)) {
		const seconds = model.outputSeconds?.(body);
		return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? roundUsd(unitPrice * seconds) : null;
	}
	if (PER_IMAGE.test(name)) {
		const count = Number(body.num_images ?? 1);
		return Number.isInteger(count) && count > 0 ? roundUsd(unitPrice * count) : null;
	}
	// Compute seconds, megapixels, tokens: the inputs do not say how many.
	return null;
}

/** The inputs a price API sees: images sent inline are left out (they do not change a price). */
function priceInputs(body: RequestBody): RequestBody {
	const inputs: RequestBody = {};
	for (const [key, value] of Object.entries(body)) {
		if (typeof value === 'string' && value.startsWith('data:')) continue;
		inputs[key] = Array.isArray(value)
			? (value as unknown[]).filter((v) => !(typeof v === 'string' && v.startsWith('data:'))) as RequestBody[string]
			: value;
	}
	return inputs;
}

/** Prices the items of one run, asking the provider once per distinct input. */
export class PriceList {
	private readonly asked = new Map<string, Promise<ProviderPrice | undefined | 'failed'>>();

	constructor(
		private readonly model: ModelSpec,
		private readonly transport: ProviderTransport,
		private readonly call: CallContext,
	) {}

	async priceOf(body: RequestBody): Promise<ItemPrice> {
		const fromProvider = await this.providerPrice(body);
		if (fromProvider !== null) return { usd: fromProvider, source: 'provider' };
		const fromTable = this.model.price?.(body) ?? null;
		return fromTable === null ? { usd: null, source: null } : { usd: roundUsd(fromTable), source: 'table' };
	}

	private async providerPrice(body: RequestBody): Promise<number | null> {
		const { transport, model, call } = this;
		if (!transport.price) return null;
		const inputs = priceInputs(body);
		// fal's answer depends on the endpoint only; WaveSpeed's on the inputs.
		const key = transport.provider === 'fal' ? model.id : fingerprint([model.id, inputs]);
		let answer = this.asked.get(key);
		if (!answer) {
			answer = transport.price(call, model, inputs).catch((error) => {
				call.debug(`price of ${model.id} unavailable, using the table: ${errorMessage(error)}`);
				return 'failed' as const;
			});
			this.asked.set(key, answer);
		}
		const price = await answer;
		if (price === undefined || price === 'failed') return null;
		if (price.kind === 'price') return roundUsd(price.usd);
		return priceFromUnit(model, body, price.unitPrice, price.unit);
	}

	/**
	 * The price of a job whose inputs are not known (a Trigger's job, Get Job): only a price that
	 * does not depend on them (fal's per-video prices); anything else would be a guess.
	 */
	async priceWithoutInputs(): Promise<ItemPrice> {
		const { transport, model, call } = this;
		if (transport.provider !== 'fal' || !transport.price) return { usd: null, source: null };
		let answer = this.asked.get(model.id);
		if (!answer) {
			answer = transport.price(call, model, {}).catch(() => 'failed' as const);
			this.asked.set(model.id, answer);
		}
		const price = await answer;
		if (price === undefined || price === 'failed' || price.kind !== 'unit' || !PER_JOB.test(price.unit.trim().toLowerCase())) {
			return { usd: null, source: null };
		}
		return { usd: roundUsd(price.unitPrice), source: 'provider' };
	}

	/** Provider requests made so far (distinct inputs). */
	get requests(): number {
		return this.asked.size;
	}
}

/** $0.16, $0.032, $12.50: whole cents, sub-cent prices as precise as they are (4 digits). */
export function formatUsd(usd: number): string {
	return usd.toLocaleString('en-US', {
		style: 'currency',
		currency: 'USD',
		minimumFractionDigits: 2,
		maximumFractionDigits: usd >= 1 ? 2 : 4,
	});
}
