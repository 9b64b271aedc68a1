import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { SiteSchema } from '../../common/site';
import { formatSiteIssues, parseSiteText } from '../../main/core/site/parseSite';
import { loadSiteFile, SiteFileError } from '../../main/core/site/loadSite';
import { siteJsonSchema } from '../../main/core/site/jsonSchema';
import { repoRoot, tempDir } from '../helpers/paths';

const minimal = `{
  "schemaVersion": 1,
  "name": "Đông Khê",
  "cameras": [
    { "id": "cam-1", "name": "Cổng chợ", "streams": { "main": "rtsp://10.0.0.5/Streaming/Channels/101" } }
  ]
}`;

function issuesOf(text: string) {
  const result = parseSiteText(text);
  if (result.ok) throw new Error('expected errors');
  return result.issues;
}

describe('site file', () => {
  it('accepts the minimal shape that other programs write', () => {
    const result = parseSiteText(minimal);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.site.cameras[0]?.streams.sub).toBeUndefined();
  });

  it('accepts the built-in demo site: 31 cameras of Đông Khê, placed and named', () => {
    const site = loadSiteFile(path.join(repoRoot, 'resources', 'demo-site.json'));
    expect(site.cameras).toHaveLength(31);
    expect(new Set(site.cameras.map((camera) => camera.village)).size).toBe(9);
    expect(site.cameras.filter((camera) => camera.ptz).length).toBeGreaterThanOrEqual(5);
    expect(site.cameras.filter((camera) => camera.name.includes('QL47')).length).toBeGreaterThanOrEqual(6);
    for (const camera of site.cameras) {
      expect(camera.latitude).toBeGreaterThan(19.8);
      expect(camera.longitude).toBeGreaterThan(105.6);
      expect(camera.headingDeg).toBeDefined();
    }
  });

  it('names the field and the line of a missing required field', () => {
    const text = minimal.replace('"name": "Cổng chợ", ', '');
    const [issue] = issuesOf(text);
    expect(issue).toMatchObject({ line: 5, path: 'cameras[0].name', key: 'required' });
  });

  it('points at a misspelt field (unknown keys are refused, not ignored)', () => {
    const text = minimal.replace('"name": "Cổng chợ"', '"name": "Cổng chợ", "lattitude": 19.8');
    const issues = issuesOf(text);
    expect(issues).toContainEqual(expect.objectContaining({ line: 5, key: 'unknownField', params: { field: 'lattitude' } }));
  });

  it('refuses a stream that is not rtsp://, on its own line', () => {
    const text = minimal.replace('"main": "rtsp://10.0.0.5/Streaming/Channels/101"', '\n "main": "http://10.0.0.5/video"');
    const [issue] = issuesOf(text);
    expect(issue).toMatchObject({ line: 6, path: 'cameras[0].streams.main', key: 'streamUrl' });
  });

  it('refuses duplicate camera ids and a latitude without longitude', () => {
    const text = JSON.stringify(
      {
        schemaVersion: 1,
        name: 'x',
        cameras: [
          { id: 'a', name: 'A', latitude: 19.8, streams: { main: 'rtsp://h/a' } },
          { id: 'a', name: 'B', streams: { main: 'rtsp://h/b' } },
        ],
      },
      null,
      2,
    );
    const keys = issuesOf(text).map((issue) => `${issue.path}:${issue.key}`);
    expect(keys).toContain('cameras[1].id:duplicateId');
    expect(keys).toContain('cameras[0].latitude:latLongPair');
  });

  it('reports JSON syntax errors with their line', () => {
    const [issue] = issuesOf('{\n  "schemaVersion": 1,\n  "name": "x"\n  "cameras": []\n}');
    expect(issue?.key).toBe('syntax');
    expect(issue?.line).toBe(4);
  });

  it('refuses a future schema version', () => {
    const [issue] = issuesOf(minimal.replace('"schemaVersion": 1', '"schemaVersion": 2'));
    expect(issue).toMatchObject({ line: 2, key: 'schemaVersion' });
  });

  it('explains the problems in Vietnamese by default, and in English', () => {
    const issues = issuesOf(minimal.replace('"main": "rtsp', '"main": "ftp'));
    const vi = formatSiteIssues('site.json', issues, 'vi');
    expect(vi).toContain('Dòng 5');
    expect(vi).toContain('cameras[0].streams.main');
    expect(vi).toContain('phải là địa chỉ rtsp://');
    expect(formatSiteIssues('site.json', issues, 'en')).toContain('Line 5');
  });

  it('throws a SiteFileError for a missing file, never a half-loaded site', () => {
    expect(() => loadSiteFile(path.join(tempDir('site'), 'nope.json'))).toThrow(SiteFileError);
  });

  it('keeps resources/site.schema.json equal to the schema in common/site.ts (npm run gen:schema)', () => {
    const committed: unknown = JSON.parse(fs.readFileSync(path.join(repoRoot, 'resources', 'site.schema.json'), 'utf8'));
    expect(committed).toEqual(siteJsonSchema());
  });

  it('infers the same type the schema validates', () => {
    const parsed: z.infer<typeof SiteSchema> = SiteSchema.parse(JSON.parse(minimal));
    expect(parsed.name).toBe('Đông Khê');
  });
});
