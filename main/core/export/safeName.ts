import { withoutMarks } from '../../../common/text';

/**
 * Text typed by a person (case number, camera name) that ends up in a file or folder name on the
 * stick. Only a plain name comes out: no separator, no `..`, no control or reserved character
 * (FAT32 and Windows refuse `<>:"/\|?*`), no trailing dot or space, not a Windows device name,
 * never empty, and short enough for FAT32's 255 UTF-16 units with room for a suffix.
 */
const RESERVED = /[<>:"/\\|?*]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;


export function safeName(text: string, fallback: string, maxLength = 60): string {
  let name = withoutMarks(text)
    .replace(CONTROL, '')
    .replace(RESERVED, '-')
    .replace(/\s+/g, '_')
    .replace(/[^A-Za-z0-9._-]/g, '')
    .replace(/\.{2,}/g, '.')
    .replace(/([_-])[_-]+/g, '$1')
    .replace(/^[.\-_]+|[.\-_ ]+$/g, '');
  if (name.length > maxLength) name = name.slice(0, maxLength).replace(/[.\-_ ]+$/g, '');
  if (name === '' || WINDOWS_DEVICES.test(name)) return fallback;
  return name;
}

/** Text for a document (record, manifest): control characters out, length bounded. */
export function plainText(text: string, maxLength = 500): string {
  return text.replace(CONTROL, ' ').trim().slice(0, maxLength);
}
