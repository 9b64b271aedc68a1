/**
 * Vietnamese: the default language of every screen. Keys are grouped by place; `{{name}}` is
 * interpolated. en.ts must have exactly the same keys (the type checker enforces it).
 */
export const vi = {
  app: {
    title: 'Giám sát camera',
    station: 'Công an xã {{name}}',
    demoBadge: 'Dữ liệu mẫu',
    language: 'Ngôn ngữ',
    loading: 'Đang tải…',
    cameraCount: '{{count}} camera',
  },
  layout: {
    label: 'Bố cục',
    option: '{{count}} ô',
  },
  tile: {
    empty: 'Ô trống',
    noPicture: 'Chưa có hình',
    since: 'từ {{time}}',
  },
  streamState: {
    idle: 'Chưa mở',
    connecting: 'Đang kết nối',
    live: 'Trực tiếp',
    reconnecting: 'Đang kết nối lại',
    offline: 'Mất kết nối',
  },
  streamProblems: {
    unreachable: 'Không kết nối được tới camera',
    authFailed: 'Sai tên đăng nhập hoặc mật khẩu của camera',
    notFound: 'Camera không có luồng video này',
    noData: 'Camera không gửi hình',
    badStream: 'Luồng video bị lỗi',
    ffmpegMissing: 'Không tìm thấy ffmpeg trên máy',
    ended: 'Camera đã ngắt kết nối',
  },
  stream: {
    main: 'Luồng chính',
    sub: 'Luồng phụ',
  },
  connection: {
    lost: 'Mất liên lạc với phần lõi của phần mềm — đang thử lại…',
  },
  errors: {
    badRequest: 'Yêu cầu không hợp lệ',
    unauthorized: 'Phiên làm việc không hợp lệ. Hãy mở lại đúng địa chỉ được in ra khi khởi động phần mềm.',
    forbidden: 'Tài khoản này không có quyền làm việc này',
    notFound: 'Không tìm thấy',
    unavailable: 'Chức năng này tạm thời không dùng được',
    timeout: 'Quá thời gian chờ',
    internal: 'Lỗi bên trong phần mềm',
  },
  siteErrors: {
    title: 'Tệp cấu hình "{{file}}" có lỗi nên phần mềm chưa khởi động. Hãy sửa các chỗ sau:',
    at: 'Dòng {{line}}, cột {{column}}',
    fileMissing: 'Không đọc được tệp: {{detail}}',
    syntax: 'sai cú pháp JSON ({{detail}})',
    required: 'thiếu trường bắt buộc',
    type: 'phải là {{expected}}',
    unknownField: 'trường "{{field}}" không có trong định dạng (gõ nhầm tên?)',
    tooShort: 'không được để trống hoặc quá ngắn (tối thiểu {{min}})',
    tooLong: 'quá dài (tối đa {{max}})',
    tooSmall: 'phải lớn hơn hoặc bằng {{min}}',
    tooBig: 'phải nhỏ hơn hoặc bằng {{max}}',
    tooBigExclusive: 'phải nhỏ hơn {{max}}',
    schemaVersion: 'phiên bản định dạng phải là {{expected}}',
    invalidValue: 'giá trị không hợp lệ',
    streamUrl: 'phải là địa chỉ rtsp:// hoặc rtsps:// (hoặc demo://main, demo://sub)',
    cameraId: 'mã camera chỉ gồm chữ cái không dấu, chữ số, "-" và "_" (tối đa 64 ký tự)',
    duplicateId: 'mã camera bị trùng với một camera khác',
    latLongPair: 'cần có cả vĩ độ (latitude) và kinh độ (longitude)',
    onvifAddress: 'phải là địa chỉ http:// hoặc https://',
    typeNames: {
      string: 'chuỗi ký tự',
      number: 'số',
      boolean: 'true hoặc false',
      object: 'đối tượng { … }',
      array: 'danh sách [ … ]',
    },
  },
  cli: {
    openUrl: 'Mở địa chỉ sau trong trình duyệt (Chrome, Edge hoặc Chromium):',
    demoSite: 'Đang chạy điểm mẫu (demo) — video camera được tạo trên máy này, không cần camera thật.',
    site: 'Điểm: {{name}} — {{count}} camera',
    ffmpeg: 'ffmpeg: {{path}} (nguồn: {{source}}, {{version}})',
    ffmpegMissing: 'Không tìm thấy ffmpeg. Cài gói ffmpeg của hệ điều hành hoặc chạy lại "npm install".',
    dataDir: 'Thư mục dữ liệu: {{dir}}',
    badArgs: 'Tham số dòng lệnh không hợp lệ: {{detail}}',
    usage: 'Cách dùng: npm start -- [--site TỆP] [--data THƯ_MỤC] [--port SỐ] [--lang vi|en]',
    stopping: 'Đang dừng…',
    electronMissing: 'Chưa có Electron trên máy này: chạy ở chế độ trình duyệt.',
  },
} as const;

type DeepStrings<T> = { readonly [K in keyof T]: T[K] extends string ? string : DeepStrings<T[K]> };
export type Messages = DeepStrings<typeof vi>;
