import type { DeepStrings } from './types';

/** Texts of the hosts (Electron main, the browser-mode supervisor, the data-folder lock), under `host.`. */
export const hostVi = {
  crashLoop: {
    title: 'Phần lõi của phần mềm bị dừng liên tục',
    body: 'Phần lõi (ghi hình, xem trực tiếp) đã dừng đột ngột {{count}} lần trong {{minutes}} phút nên không tự khởi động lại nữa.',
    logs: 'Nhật ký lỗi nằm trong thư mục:',
    action: 'Hãy chụp màn hình này, gửi thư mục nhật ký cho cán bộ kỹ thuật, rồi khởi động lại phần mềm.',
  },
  restarting: 'Phần lõi dừng đột ngột (lần {{count}}), khởi động lại sau {{seconds}} giây…',
  hung: 'Phần lõi không trả lời suốt {{seconds}} giây (bị treo): buộc dừng để khởi động lại.',
  restarted: 'Phần lõi đã chạy lại.',
  locked:
    'Thư mục dữ liệu {{dir}} đang được một cửa sổ phần mềm khác sử dụng (tiến trình {{pid}}, mở lúc {{since}}). Chỉ một phần mềm được mở trên một thư mục dữ liệu: hãy dùng cửa sổ đang mở.',
  staleLock: 'Khóa cũ của lần chạy trước (tiến trình {{pid}}) không còn hiệu lực, đã gỡ.',
  ffmpegOld:
    'Cảnh báo: chỉ có ffmpeg {{version}} đi kèm (bản cũ) để đọc luồng camera. Hãy cài ffmpeg 6 trở lên của hệ điều hành hoặc chỉ định bằng --ffmpeg.',
  system: {
    title: 'Hệ thống',
    version: 'Phiên bản phần mềm',
    host: 'Chạy dưới dạng',
    hosts: { electron: 'Ứng dụng máy tính', browser: 'Trình duyệt (chế độ thử)' },
    ffmpeg: 'ffmpeg đang dùng',
    ffmpegSource: 'Nguồn',
    sources: { config: 'Chỉ định trong cài đặt', env: 'Biến môi trường FFMPEG_PATH', 'ffmpeg-static': 'Gói ffmpeg-static', '@ffmpeg-installer': 'Gói đi kèm phần mềm', path: 'Cài trên hệ điều hành' },
    ffmpegMissing: 'Không tìm thấy ffmpeg: không xem và không ghi được hình.',
    gpu: 'Bộ vẽ hình (WebGL)',
    gpuSoftware: 'Đang vẽ bằng phần mềm (không có tăng tốc đồ họa): tường hình nhiều ô sẽ chậm.',
    gpuUnknown: 'Không đọc được',
  },
} as const;

export const hostEn: DeepStrings<typeof hostVi> = {
  crashLoop: {
    title: 'The console core keeps stopping',
    body: 'The core (recording, live view) stopped unexpectedly {{count}} times in {{minutes}} minutes, so it is no longer restarted.',
    logs: 'Its logs are in the folder:',
    action: 'Take a picture of this screen, send the log folder to a technician, then start the console again.',
  },
  restarting: 'The core stopped unexpectedly (time {{count}}); restarting in {{seconds}} s…',
  hung: 'The core has not answered for {{seconds}} s (hung): killing it to restart it.',
  restarted: 'The core is running again.',
  locked:
    'The data folder {{dir}} is in use by another console (process {{pid}}, started {{since}}). Only one console may open a data folder: use the one already open.',
  staleLock: 'A stale lock of an earlier run (process {{pid}}) was removed.',
  ffmpegOld: 'Warning: only the old bundled ffmpeg {{version}} reads the camera streams. Install the system ffmpeg 6 or newer, or name one with --ffmpeg.',
  system: {
    title: 'System',
    version: 'Console version',
    host: 'Running as',
    hosts: { electron: 'Desktop application', browser: 'Browser (test mode)' },
    ffmpeg: 'ffmpeg in use',
    ffmpegSource: 'Source',
    sources: { config: 'Set in the settings', env: 'FFMPEG_PATH environment variable', 'ffmpeg-static': 'ffmpeg-static package', '@ffmpeg-installer': 'Bundled with the console', path: 'Installed in the operating system' },
    ffmpegMissing: 'ffmpeg not found: no live view and no recording.',
    gpu: 'Renderer (WebGL)',
    gpuSoftware: 'Drawing in software (no graphics acceleration): large walls will be slow.',
    gpuUnknown: 'Not readable',
  },
};
