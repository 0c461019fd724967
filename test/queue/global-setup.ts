/* eslint-disable @n8n/community-nodes/no-restricted-globals -- e2e test setup, never shipped */
/**
 * The e2e suite's globalSetup (install the n8n versions under test into the cache, build and
 * pack the repo once), for the versions the queue suite runs: N8N_QUEUE_VERSIONS, default
 * both majors (≈ 4 min each on 2 cores: a queue-mode cluster is four n8n processes).
 */
import e2eGlobalSetup from '../e2e/global-setup';

export const DEFAULT_QUEUE_VERSIONS = '2.40.5,1.123.81';

export default async function globalSetup(): Promise<void> {
	process.env.N8N_E2E_VERSIONS = process.env.N8N_QUEUE_VERSIONS ?? DEFAULT_QUEUE_VERSIONS;
	await e2eGlobalSetup();
}
