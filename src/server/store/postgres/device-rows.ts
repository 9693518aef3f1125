/**
 * The PostgreSQL store's v4 device records (PROTOCOL.md 22): one row per user with its signed
 * list, removed devices and recovery box, and one cursor row per device (acks touch only those).
 * Deleting a user deletes both (ON DELETE CASCADE).
 */
import type { Pool } from 'pg';
import type { DeviceListWire } from '../../../protocol/device-frames';
import type { Box } from '../../../protocol/primitives';
import type { DeviceRecord } from '../store';
import { inTransaction } from './transaction';

interface DeviceRow {
  name: string;
  list: DeviceListWire;
  removed: string[];
  recovery: Box | null;
  past: DeviceListWire[];
}

export async function listDeviceRecords(pool: Pool): Promise<DeviceRecord[]> {
  const { rows } = await pool.query<DeviceRow>('SELECT name, list, removed, recovery, past FROM classchat_devices ORDER BY name');
  const cursors = await pool.query<{ name: string; device: string; acked_seq: string }>('SELECT name, device, acked_seq FROM classchat_device_cursors');
  const byName = new Map<string, Record<string, number>>();
  for (const row of cursors.rows) {
    const record = byName.get(row.name) ?? {};
    record[row.device] = Number(row.acked_seq);
    byName.set(row.name, record);
  }
  return rows.map((row) => ({ name: row.name, list: row.list, removed: row.removed, cursors: byName.get(row.name) ?? {}, ...(row.recovery ? { recovery: row.recovery } : {}), ...(row.past.length ? { past: row.past } : {}) }));
}

/** Replaces the record and raises its cursors, in one transaction. */
export async function putDeviceRecord(pool: Pool, record: DeviceRecord): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO classchat_devices (name, list, removed, recovery, past) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name) DO UPDATE SET list = excluded.list, removed = excluded.removed, recovery = excluded.recovery, past = excluded.past`,
      [record.name, JSON.stringify(record.list), JSON.stringify(record.removed), record.recovery ? JSON.stringify(record.recovery) : null, JSON.stringify(record.past ?? [])],
    );
    const devices = Object.keys(record.cursors);
    if (devices.length > 0) {
      await client.query(
        `INSERT INTO classchat_device_cursors (name, device, acked_seq) SELECT $1, * FROM unnest($2::text[], $3::bigint[])
         ON CONFLICT (name, device) DO UPDATE SET acked_seq = GREATEST(classchat_device_cursors.acked_seq, excluded.acked_seq)`,
        [record.name, devices, devices.map((device) => record.cursors[device])],
      );
    }
  });
}

/** Never moves backwards, nor past the head; only for a user that has devices. */
export async function setDeviceCursor(pool: Pool, name: string, device: string, seq: number): Promise<void> {
  await pool.query(
    `INSERT INTO classchat_device_cursors (name, device, acked_seq)
       SELECT $1, $2, LEAST($3, (SELECT seq FROM classchat_head)) WHERE EXISTS (SELECT 1 FROM classchat_devices WHERE name = $1)
     ON CONFLICT (name, device) DO UPDATE SET acked_seq = GREATEST(classchat_device_cursors.acked_seq, excluded.acked_seq)`,
    [name, device, seq],
  );
}
