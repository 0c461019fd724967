/* eslint-disable @n8n/community-nodes/no-restricted-globals -- browser test setup, never shipped */
/**
 * The e2e global setup (cached n8n installs, one build and pack of the repo), limited to the
 * n8n versions the browser test runs (N8N_BROWSER_VERSIONS, default 2.40.5).
 */
import e2eGlobalSetup from '../e2e/global-setup';

export default async function globalSetup(): Promise<void> {
	process.env.N8N_BROWSER_VERSIONS ??= '2.40.5';
	process.env.N8N_E2E_VERSIONS = process.env.N8N_BROWSER_VERSIONS;
	await e2eGlobalSetup();
}
