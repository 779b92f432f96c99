import 'reflect-metadata';
import { allFieldsOf } from '@app/access';
import { ChildDto, SectionDto } from './children.dto';

/** Properties @nestjs/swagger recorded on a response class: the fields a response can carry. */
function documented(cls: new () => object): string[] {
  const props = (Reflect.getMetadata('swagger/apiModelPropertiesArray', cls.prototype) as string[] | undefined) ?? [];
  return props.map((p) => p.replace(/^:/, ''));
}

describe('sensitivity classification', () => {
  it('covers every field a child response can carry, and nothing else', () => {
    expect(documented(ChildDto).sort()).toEqual(allFieldsOf('Child').sort());
  });

  it('covers every field a section response can carry, and nothing else', () => {
    expect(documented(SectionDto).sort()).toEqual(allFieldsOf('ChildSection').sort());
  });
});
