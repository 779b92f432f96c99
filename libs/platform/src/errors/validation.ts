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
