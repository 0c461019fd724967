import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

/**
 * The n8n contexts the engine runs in: a node's execute(), and its webhook() when a paused
 * execution is woken by a provider callback (or a Trigger receives one). Both offer the
 * credential, request and binary helpers the transports need.
 */
export type Host = IExecuteFunctions | IWebhookFunctions;
