import { useEffect, useState } from 'react';
import { formatDateTime } from '../../common/time';

export function Clock({ timeZone }: { timeZone: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return <time className="clock" dateTime={new Date(now).toISOString()}>{formatDateTime(now, timeZone)}</time>;
}
