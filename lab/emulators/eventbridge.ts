/**
 * EventBridge over JSON 1.1 (`X-Amz-Target: AWSEvents.<Operation>`): `DescribeRule` for the rules the lab read
 * from serverless.yml, with the State the scenario set (lab/trail/monitoring.ts), so the reconcile adapter (the
 * official @aws-sdk/client-eventbridge) runs unchanged against the lab. Shapes: EventBridge API Reference,
 * DescribeRule (service model `eventbridge/2015-10-07`). Only the default event bus exists.
 */
import { randomUUID } from 'node:crypto';
import type { LabMonitoringSetup } from '../trail/monitoring.js';
import { type Emulator, jsonResponse, type LabResponse } from './http.js';

const EVENTS_TARGET = /^AWSEvents\.(\w+)$/;
const CONTENT_TYPE = { 'content-type': 'application/x-amz-json-1.1' };

function errorResponse(type: string, message: string): LabResponse {
  return jsonResponse(400, { __type: type, message }, CONTENT_TYPE);
}

export function createEventBridgeEmulator(setup: LabMonitoringSetup): Emulator {
  return async (req) => {
    const target = req.headers['x-amz-target'] ?? '';
    const operation = EVENTS_TARGET.exec(target)?.[1];
    if (req.method !== 'POST' || operation === undefined) {
      return errorResponse('UnknownOperationException', `Unsupported request: ${req.method} ${target || '(none)'}`);
    }
    if (operation !== 'DescribeRule') {
      return errorResponse(
        'UnknownOperationException',
        `The lab's EventBridge implements DescribeRule, not ${operation}.`,
      );
    }
    let request: { Name?: unknown; EventBusName?: unknown };
    try {
      const text = req.body.toString('utf8');
      request = (text.trim() === '' ? {} : JSON.parse(text)) as typeof request;
    } catch {
      return errorResponse('SerializationException', 'The request body is not valid JSON.');
    }
    if (typeof request.Name !== 'string' || request.Name === '') {
      return errorResponse(
        'ValidationException',
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
      );
    }
    const bus = typeof request.EventBusName === 'string' ? request.EventBusName : 'default';
    const rule = bus === 'default' || bus.endsWith(':event-bus/default') ? setup.findRule(request.Name) : undefined;
    if (!rule) {
      return errorResponse('ResourceNotFoundException', `Rule ${request.Name} does not exist on EventBus ${bus}.`);
    }
    return jsonResponse(
      200,
      {
        Name: rule.name,
        Arn: `arn:aws:events:${setup.region}:${setup.account}:rule/${rule.name}`,
        EventPattern: JSON.stringify(rule.pattern),
        State: rule.state,
        ...(rule.description ? { Description: rule.description } : {}),
        EventBusName: 'default',
        CreatedBy: setup.account,
      },
      { ...CONTENT_TYPE, 'x-amzn-requestid': randomUUID() },
    );
  };
}
