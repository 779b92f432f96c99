import { IsEmpty } from 'class-validator';

/**
 * The body of a command that takes none (a receipt confirmed by If-Match, an export chosen by its
 * query): declared so that validation refuses any field sent (400 naming it), like every other body.
 */
export class NoBodyDto {
  // class-validator refuses a class it knows nothing of (forbidUnknownValues), even `{}`: this
  // marker, never sent (it must be empty), gives it one, so `{}` passes and any field is named.
  @IsEmpty() readonly none?: undefined;
}
