/**
 * How a model table's fields become node parameters, shared by the parameters themselves
 * (model.ts) and the price text that reads them back in expressions (priceText.ts).
 */
import type { Field } from './models/types';

/** The collection holding a table's optional fields. */
export const ADDITIONAL_FIELDS = 'additionalFields';

/** `aspect_ratio` → `aspectRatio`, `guidance_scale_2` → `guidanceScale2`. */
export function paramName(wire: string): string {
	return wire.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A field shown at the top level of the node (required, or marked so); else under Additional Fields. */
export function isTopLevel(field: Field): boolean {
	return field.required === true || field.topLevel === true;
}
