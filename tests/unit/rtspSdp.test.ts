import { describe, expect, it } from 'vitest';
import { authorization, sdpVideoCodec, videoControl } from '../../main/core/media/rtspClient';

// SDPs as cameras write them (Hikvision-like H.265 with audio first, GStreamer H.264, a dynamic PT)
const hikvisionH265 = [
  'v=0',
  'o=- 1109162014219182 1109162014219182 IN IP4 0.0.0.0',
  's=Media Presentation',
  'c=IN IP4 0.0.0.0',
  't=0 0',
  'a=control:*',
  'm=audio 0 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'a=control:trackID=2',
  'm=video 0 RTP/AVP 96',
  'a=rtpmap:96 H265/90000',
  'a=fmtp:96 sprop-vps=QAEMAf//AWAAAAMAAAMAAAMAAAMAlqwJ; sprop-sps=QgEBAWAAAAMAAAMAAAMAAAMAlqAFAgFx8uSJvI; sprop-pps=RAHA8vA8kAA=',
  'a=control:trackID=1',
  '',
].join('\r\n');

const gstreamerH264 = [
  'v=0',
  'o=- 1188340656180883 1 IN IP4 127.0.0.1',
  's=Session streamed with GStreamer',
  't=0 0',
  'm=video 0 RTP/AVP 96',
  'c=IN IP4 0.0.0.0',
  'a=rtpmap:96 H264/90000',
  'a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LAHtkAoC/5Y=,aMuDyyA=;profile-level-id=42c01e',
  'a=control:stream=0',
  '',
].join('\n');

describe('what an RTSP camera says of its stream (SDP)', () => {
  it('the video codec comes from the video track payload type, whatever comes first or the case', () => {
    expect(sdpVideoCodec(hikvisionH265)).toBe('hevc');
    expect(sdpVideoCodec(gstreamerH264)).toBe('h264');
    expect(sdpVideoCodec(gstreamerH264.replace('H264/90000', 'h264/90000'))).toBe('h264');
    // the rtpmap of another payload type does not count
    expect(sdpVideoCodec(gstreamerH264.replace('m=video 0 RTP/AVP 96', 'm=video 0 RTP/AVP 97'))).toBeNull();
    expect(sdpVideoCodec(gstreamerH264.replace('H264/90000', 'JPEG/90000'))).toBeNull();
    expect(sdpVideoCodec('v=0\r\nm=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n')).toBeNull();
    expect(sdpVideoCodec('')).toBeNull();
  });

  it('the video control URL: relative to the base, absolute, or the base itself', () => {
    expect(videoControl(hikvisionH265, 'rtsp://10.0.0.5/Streaming/Channels/101/')).toBe('rtsp://10.0.0.5/Streaming/Channels/101/trackID=1');
    expect(videoControl(gstreamerH264, 'rtsp://127.0.0.1:8554/cam')).toBe('rtsp://127.0.0.1:8554/cam/stream=0');
    expect(videoControl(gstreamerH264.replace('a=control:stream=0', 'a=control:rtsp://10.0.0.9/v'), 'rtsp://x/')).toBe('rtsp://10.0.0.9/v');
    expect(videoControl(gstreamerH264.replace('a=control:stream=0', 'a=control:*'), 'rtsp://x/y')).toBe('rtsp://x/y');
    expect(videoControl('v=0\r\n', 'rtsp://x/')).toBeNull();
  });

  it('digest auth as RFC 2617 computes it (the RFC example), basic only when nothing better is offered', () => {
    const challenge = 'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"';
    const header = authorization([challenge], 'Mufasa', 'Circle Of Life', 'GET', '/dir/index.html', 1, '0a4f113b');
    expect(header).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(header).toContain('nc=00000001');
    expect(authorization(['Basic realm="cam"', challenge], 'u', 'p', 'DESCRIBE', 'rtsp://x/')).toMatch(/^Digest /);
    expect(authorization(['Basic realm="cam"'], 'admin', 'secret', 'DESCRIBE', 'rtsp://x/')).toBe(`Basic ${Buffer.from('admin:secret').toString('base64')}`);
    expect(authorization(['Bearer x'], 'u', 'p', 'DESCRIBE', 'rtsp://x/')).toBeNull();
  });
});
