/**
 * The one error type the compute world throws. Emulators turn it into the service's wire error; the
 * CloudTrail record of the failed call carries `trailErrorCode` (which can differ from the API error name,
 * e.g. RunMicrovm answered InternalServerException but CloudTrail said InternalFailure in the field).
 */
export class ComputeApiError extends Error {
  override readonly name = 'ComputeApiError';

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra members of the error body, e.g. resourceId / resourceType. */
    readonly fields: Record<string, string> = {},
    readonly trailErrorCode: string = code,
  ) {
    super(message);
  }
}

export const invalidParameter = (message: string) =>
  new ComputeApiError('InvalidParameterValueException', 400, message);
export const resourceConflict = (message: string) => new ComputeApiError('ResourceConflictException', 409, message);
export const validationError = (message: string) => new ComputeApiError('ValidationException', 400, message);

export function resourceNotFound(message: string, resourceType?: string, resourceId?: string): ComputeApiError {
  const fields: Record<string, string> = {};
  if (resourceType !== undefined) fields.resourceType = resourceType;
  if (resourceId !== undefined) fields.resourceId = resourceId;
  return new ComputeApiError('ResourceNotFoundException', 404, message, fields);
}

export function conflict(message: string, resourceType: string, resourceId: string): ComputeApiError {
  return new ComputeApiError('ConflictException', 409, message, { resourceType, resourceId });
}
