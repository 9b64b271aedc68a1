import { z } from 'zod';
import { SiteSchema } from '../../../common/site';

/**
 * The JSON Schema of the site file, generated from the zod schema (the single source of truth)
 * and committed as resources/site.schema.json for editors and other programs.
 */
export function siteJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(SiteSchema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $id: 'https://commune-console.local/site.schema.json',
    title: 'Site file of the commune CCTV console',
    description: 'See docs/site-file.md. Cross-field rules (unique camera ids, latitude with longitude) are checked by the console.',
    ...schema,
  };
}
