/**
 * The editor's side of a node: `ILoadOptionsFunctions` as n8n's LoadOptionsContext gives it to
 * listSearch, resourceMapping and loadOptions methods. Built on a harness (test/harness/context.ts)
 * for the same node and parameters, so parameters, credentials (with the credential class's own
 * `authenticate`) and HTTP are the harness's n8n code; the differences are n8n's own:
 * `getNodeParameter(name, fallback, options)` reads the node's current parameters (no item),
 * and there is no input data, execution or binary data.
 */
import type { IGetNodeParameterOptions, ILoadOptionsFunctions } from 'n8n-workflow';

import type { Harness } from './context';

export function loadOptionsContext(h: Harness): ILoadOptionsFunctions {
	const ctx = h.ctx;
	const context = {
		getNodeParameter: (name: string, fallback?: unknown, options?: IGetNodeParameterOptions) =>
			ctx.getNodeParameter(name, 0, fallback, options),
		getCurrentNodeParameter: (name: string, options?: IGetNodeParameterOptions) =>
			ctx.getNodeParameter(name, 0, undefined, options),
		getCurrentNodeParameters: () => ctx.getNode().parameters,
		getCredentials: ctx.getCredentials.bind(ctx),
		getNode: ctx.getNode.bind(ctx),
		getWorkflow: ctx.getWorkflow.bind(ctx),
		getTimezone: ctx.getTimezone.bind(ctx),
		getRestApiUrl: () => 'http://localhost:5678/rest',
		getInstanceBaseUrl: () => 'http://localhost:5678/',
		logger: ctx.logger,
		helpers: ctx.helpers,
		// Editor requests have no execution to be cancelled with.
		getExecutionCancelSignal: () => undefined,
	};
	// The helpers are called as `this.helpers.x(...)`: their `this` is the context itself.
	return context as unknown as ILoadOptionsFunctions;
}
