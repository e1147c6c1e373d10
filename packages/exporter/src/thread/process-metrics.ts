import { cpus } from 'node:os';
import type { Attributes } from '@opentelemetry/api';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { CUMULATIVE, DATA_POINT_TYPES, DOUBLE, hrNow } from '../shared/prometheus-text.js';

const { GAUGE, SUM } = DATA_POINT_TYPES;

/**
 * The process-wide metrics, measured in the health thread (true from any
 * thread, even while the main one is blocked), as the families of
 * `@opentelemetry/host-metrics` (its `process.cpu` and `process.memory`
 * groups: names, descriptions, units, attributes, and how utilization is
 * computed; a test holds the two side by side) and `nodejs_version_info`.
 * Made here rather than with host-metrics and a MeterProvider in the thread:
 * those, with the modules they load, cost the thread about 2 MiB of heap.
 */
export class ProcessMetrics {
  private readonly startTime = hrNow();
  // As host-metrics: utilization is over the time since the previous collection, the first since the thread started.
  private previous = { time: Date.now(), usage: process.cpuUsage() };
  private readonly cpuCount = cpus().length;
  private readonly version: Attributes;

  constructor() {
    const [major, minor, patch] = process.versions.node.split('.');
    this.version = { version: process.version, major, minor, patch };
  }

  /** The four families, as of now. */
  metrics(): MetricData[] {
    const endTime = hrNow();
    const point = (value: number, attributes: Attributes = {}) => ({ startTime: this.startTime, endTime, attributes, value });
    const time = Date.now();
    const usage = process.cpuUsage();
    const elapsedCpuMicros = (time - this.previous.time) * 1000 * this.cpuCount;
    const userShare = (usage.user - this.previous.usage.user) / elapsedCpuMicros;
    const systemShare = (usage.system - this.previous.usage.system) / elapsedCpuMicros;
    this.previous = { time, usage };
    const user = { 'process.cpu.state': 'user' };
    const system = { 'process.cpu.state': 'system' };
    return [
      {
        descriptor: { name: 'process.cpu.time', description: 'Process Cpu time in seconds', unit: 's', valueType: DOUBLE },
        aggregationTemporality: CUMULATIVE,
        dataPointType: SUM,
        isMonotonic: true,
        dataPoints: [point(usage.user / 1e6, user), point(usage.system / 1e6, system)],
      },
      {
        descriptor: { name: 'process.cpu.utilization', description: 'Process Cpu usage time 0-1', unit: '', valueType: DOUBLE },
        aggregationTemporality: CUMULATIVE,
        dataPointType: GAUGE,
        dataPoints: [point(userShare, user), point(systemShare, system)],
      },
      {
        descriptor: { name: 'process.memory.usage', description: 'Process Memory usage in bytes', unit: '', valueType: DOUBLE },
        aggregationTemporality: CUMULATIVE,
        dataPointType: GAUGE,
        dataPoints: [point(process.memoryUsage.rss())],
      },
      {
        descriptor: { name: 'nodejs_version_info', description: 'Node.js version info', unit: '', valueType: DOUBLE },
        aggregationTemporality: CUMULATIVE,
        dataPointType: GAUGE,
        dataPoints: [point(1, this.version)],
      },
    ];
  }
}
