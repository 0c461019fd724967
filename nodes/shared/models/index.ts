/** Every curated model table, for the places that meet a model by its id (Trigger, Get Job). */
import { falLynx } from './fal/lynx';
import type { ModelSpec } from './types';
import { waveSpeedLtxVideoI2v720p } from './wavespeed/ltxVideoI2v720p';
import { waveSpeedLynx } from './wavespeed/lynx';
import { waveSpeedSeedanceLiteI2v720p } from './wavespeed/seedanceLiteI2v720p';
import { waveSpeedSeedanceLiteReferenceToVideo } from './wavespeed/seedanceLiteReferenceToVideo';

export const CURATED_MODELS: readonly ModelSpec[] = [
	waveSpeedLynx,
	waveSpeedLtxVideoI2v720p,
	waveSpeedSeedanceLiteReferenceToVideo,
	waveSpeedSeedanceLiteI2v720p,
	falLynx,
];

/** The curated table of this model, if there is one. */
export function curatedModel(provider: ModelSpec['provider'], id: string): ModelSpec | undefined {
	return CURATED_MODELS.find((model) => model.provider === provider && model.id === id);
}
