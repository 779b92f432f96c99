import { type ArgumentMetadata, ParseUUIDPipe, ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainError, type FieldError } from './domain-error';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    // A value class-validator cannot place (an unknown value) has no property: it is the body itself.
    const property = error.property ?? 'body';
    const field = prefix ? `${prefix}.${property}` : property;
    for (const message of Object.values(error.constraints ?? {})) out.push({ field, message });
    if (error.children?.length) out.push(...flatten(error.children, field));
  }
  return out;
}

/**
 * A change may clear optional fields with null, never these (required): a 400 naming each.
 * `@IsOptional()` lets null through to the service, so an update checks its required fields here.
 */
export function refuseClearing(dto: object, required: readonly string[]): void {
  const errors = required
    .filter((f) => (dto as Record<string, unknown>)[f] === null)
    .map((field) => ({ field, message: `${field} is required: it can be changed, not cleared` }));
  if (errors.length) throw DomainError.validation(errors);
}

/** Unknown fields are refused, not ignored; every bad field is named; nothing reaches a service. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => DomainError.validation(flatten(errors)),
  });
}

/** A path parameter that must be a UUID; a 400 names the parameter, like every validation error. */
export class UuidParamPipe extends ParseUUIDPipe {
  override async transform(value: string, metadata: ArgumentMetadata) {
    try {
      return await super.transform(value, metadata);
    } catch {
      const field = metadata.data ?? 'id';
      throw DomainError.validation([{ field, message: `${field} must be a UUID` }]);
    }
  }
}
