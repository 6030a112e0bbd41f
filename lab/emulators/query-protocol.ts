/**
 * What the AWS query-protocol emulators (SNS, STS) share: an error with its HTTP status and AWS error code,
 * and the XML answers (`<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>` for errors, as
 * the AWS query protocol defines them; Type is Sender for 4xx, Receiver for 5xx).
 */
import type { LabResponse } from './http.js';
import { element, xmlDocument } from './xml.js';

/** An AWS error the emulator answers with (`code` as the API reference names it). */
export class QueryProtocolError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An XML answer with the request id header the SDK reads. */
export function xmlResponse(status: number, body: string, requestId: string): LabResponse {
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

/** The error document of the service with XML namespace `namespace`. */
export function queryErrorResponse(namespace: string, error: QueryProtocolError, requestId: string): LabResponse {
  const body = element(
    'ErrorResponse',
    [
      element('Error', [
        element('Type', error.status >= 500 ? 'Receiver' : 'Sender'),
        element('Code', error.code),
        element('Message', error.message),
      ]),
      element('RequestId', requestId),
    ],
    { xmlns: namespace },
  );
  return xmlResponse(error.status, xmlDocument(body), requestId);
}
