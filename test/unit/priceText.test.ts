/**
 * The price the editor shows before anything runs, evaluated the way n8n evaluates it: the
 * subtitle through n8n-workflow's own expression engine (as the canvas does), the notices
 * through its displayOptions. Both come from the model tables' publishedPrice and videoLength,
 * which also give the engine's table price: the three must agree.
 */
import { NodeHelpers, Workflow } from 'n8n-workflow';
import type { INode, INodeParameters, INodeType, INodeTypes } from 'n8n-workflow';

import { FalLynx } from '../../nodes/FalLynx/FalLynx.node';
import { WaveSpeedLtxVideoI2v720p } from '../../nodes/WaveSpeedLtxVideoI2v720p/WaveSpeedLtxVideoI2v720p.node';
import { WaveSpeedLynx } from '../../nodes/WaveSpeedLynx/WaveSpeedLynx.node';
import { WaveSpeedSeedanceLiteI2v720p } from '../../nodes/WaveSpeedSeedanceLiteI2v720p/WaveSpeedSeedanceLiteI2v720p.node';
import { WaveSpeedSeedanceLiteReferenceToVideo } from '../../nodes/WaveSpeedSeedanceLiteReferenceToVideo/WaveSpeedSeedanceLiteReferenceToVideo.node';
import { Fal } from '../../nodes/Fal/Fal.node';
import { FalTrigger } from '../../nodes/FalTrigger/FalTrigger.node';
import { WaveSpeed } from '../../nodes/WaveSpeed/WaveSpeed.node';
import { WaveSpeedTrigger } from '../../nodes/WaveSpeedTrigger/WaveSpeedTrigger.node';
import { falLynx } from '../../nodes/shared/models/fal/lynx';
import { waveSpeedLynx } from '../../nodes/shared/models/wavespeed/lynx';
import { waveSpeedSeedanceLiteI2v720p } from '../../nodes/shared/models/wavespeed/seedanceLiteI2v720p';

/** The subtitle as n8n's canvas computes it (getSimpleParameterValue over the node's parameters). */
function subtitle(nodeType: INodeType, parameters: INodeParameters): string {
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const node: INode = {
		id: 'n1',
		name: nodeType.description.displayName,
		type: `n8n-nodes-ai-video.${nodeType.description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters,
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		settings: {},
	});
	const withDefaults = workflow.getNode(node.name) as INode;
	return String(
		workflow.expression.getSimpleParameterValue(
			withDefaults,
			nodeType.description.subtitle as string,
			'internal',
			{},
		),
	);
}

/** The notices n8n shows for these parameters (displayOptions as n8n's editor applies them). */
function shownNotices(nodeType: INodeType, parameters: INodeParameters): string[] {
	return nodeType.description.properties
		.filter((p) => p.type === 'notice' && p.name.startsWith('priceNotice'))
		.filter((p) => NodeHelpers.displayParameter(parameters, p, null, nodeType.description))
		.map((p) => p.displayName);
}

describe('the node subtitle shows the price of one video at the node settings', () => {
	it.each([
		['WaveSpeed Lynx', new WaveSpeedLynx(), {}, 'Generate video · about $0.50'],
		[
			'WaveSpeed Lynx, Submit Only',
			new WaveSpeedLynx(),
			{ mode: 'submitOnly' },
			'Submit only · about $0.50',
		],
		[
			'Seedance I2V, default 5 s',
			new WaveSpeedSeedanceLiteI2v720p(),
			{},
			'Generate video · about $0.16',
		],
		[
			'Seedance I2V, 10 s',
			new WaveSpeedSeedanceLiteI2v720p(),
			{ additionalFields: { duration: 10 } },
			'Generate video · about $0.32',
		],
		[
			'Seedance I2V, 2 s',
			new WaveSpeedSeedanceLiteI2v720p(),
			{ additionalFields: { duration: 2 } },
			'Generate video · about $0.064',
		],
		[
			'Seedance I2V, duration from an expression',
			new WaveSpeedSeedanceLiteI2v720p(),
			{ additionalFields: { duration: '={{ $json.seconds }}' } },
			'Generate video · price set by inputs',
		],
		['fal Lynx, defaults (81 frames at 16 fps)', new FalLynx(), {}, 'Generate video · about $3.04'],
		[
			'fal Lynx, 49 frames',
			new FalLynx(),
			{ additionalFields: { numFrames: 49 } },
			'Generate video · about $1.84',
		],
		[
			'fal Lynx, 49 frames at 24 fps',
			new FalLynx(),
			{ additionalFields: { numFrames: 49, framesPerSecond: 24 } },
			'Generate video · about $1.22',
		],
		[
			'LTX Video (no published price)',
			new WaveSpeedLtxVideoI2v720p(),
			{},
			'Generate video · no list price',
		],
		[
			'Seedance Reference (no published price)',
			new WaveSpeedSeedanceLiteReferenceToVideo(),
			{},
			'Generate video · no list price',
		],
	])('%s', (_name, nodeType, parameters, expected) => {
		expect(subtitle(nodeType, parameters as INodeParameters)).toBe(expected);
	});

	it('agrees with the price the engine uses from the table', () => {
		expect(waveSpeedSeedanceLiteI2v720p.price?.({ duration: 10 })).toBeCloseTo(0.32, 6);
		expect(falLynx.price?.({ num_frames: 49 })).toBeCloseTo(1.8375, 6);
		expect(falLynx.price?.({})).toBeCloseTo(3.0375, 6);
		expect(waveSpeedLynx.price?.({})).toBe(0.5);
	});
});

describe('the notice above the fields says the price at these settings', () => {
	it('Seedance I2V: Duration sits in Additional Fields, so one notice (the default) and the subtitle follows the value', () => {
		const node = new WaveSpeedSeedanceLiteI2v720p();
		for (const additionalFields of [{}, { duration: 10 }, { duration: '={{ $json.s }}' }]) {
			expect(shownNotices(node, { additionalFields })).toEqual([
				expect.stringMatching(
					/^About \$0\.16 per video with the default Duration of 5 seconds \(\$0\.032 per second of video, WaveSpeed’s published price\); the subtitle under the node on the canvas shows the price at your settings/,
				),
			]);
		}
	});

	// n8n 1.x cannot resolve a parameter whose displayOptions name a child of a collection
	// ("Could not resolve parameter dependencies. Max iterations reached!") and refuses to run
	// the workflow (seen in the e2e suite on 1.123.81): no property of ours may do that.
	it('no property is shown or hidden by a field inside a collection', () => {
		const NODES: INodeType[] = [
			new WaveSpeedLynx(),
			new FalLynx(),
			new WaveSpeedLtxVideoI2v720p(),
			new WaveSpeedSeedanceLiteReferenceToVideo(),
			new WaveSpeedSeedanceLiteI2v720p(),
			new WaveSpeed(),
			new Fal(),
			new WaveSpeedTrigger(),
			new FalTrigger(),
		];
		for (const node of NODES) {
			for (const property of node.description.properties) {
				const names = Object.keys({ ...property.displayOptions?.show, ...property.displayOptions?.hide });
				expect(names.filter((name) => name.includes('.'))).toEqual([]);
			}
		}
	});

	it('WaveSpeed Lynx: a flat price; fal Lynx: the rule and the price at the defaults', () => {
		expect(shownNotices(new WaveSpeedLynx(), {})).toEqual([
			expect.stringMatching(/^About \$0\.50 per video \(WaveSpeed’s published price\)/),
		]);
		expect(shownNotices(new FalLynx(), {})).toEqual([
			expect.stringMatching(
				/^\$0\.60 per second of video \(fal’s published price\): about \$3\.04 per video at the defaults/,
			),
		]);
	});

	it('says when the provider publishes no price', () => {
		for (const node of [
			new WaveSpeedLtxVideoI2v720p(),
			new WaveSpeedSeedanceLiteReferenceToVideo(),
		]) {
			expect(shownNotices(node, {})).toEqual([
				expect.stringMatching(/^WaveSpeed publishes no price for this model/),
			]);
		}
	});

	it('the fields that set the price say so', () => {
		const hintOf = (nodeType: INodeType, name: string) =>
			nodeType.description.properties
				.flatMap((p) => [p, ...((p.options ?? []) as typeof nodeType.description.properties)])
				.find((p) => p.name === name)?.hint;
		expect(hintOf(new WaveSpeedSeedanceLiteI2v720p(), 'duration')).toBe(
			'Sets the price: $0.032 per second of video',
		);
		expect(hintOf(new FalLynx(), 'numFrames')).toMatch(
			/^Sets the length, and so the price \(\$0\.60 per second of video\)/,
		);
		expect(hintOf(new FalLynx(), 'resolution')).toBeUndefined();
	});
});

describe('the nodes panel text quotes the table price', () => {
	it.each([
		[new WaveSpeedLynx(), '$0.50 per video'],
		[new FalLynx(), '$0.60 per second of video'],
		[new WaveSpeedSeedanceLiteI2v720p(), '$0.032 per second of video'],
	])('%#', (nodeType, price) => {
		expect(nodeType.description.description).toContain(`(${price})`);
		expect(nodeType.description.properties.map((p) => p.displayName).join('\n')).toContain(price);
	});
});
