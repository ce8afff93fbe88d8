// Charts with Chart.js; each chart also carries its numbers as a table for screen
// readers and for print.
import { useEffect, useRef } from 'preact/hooks';
import {
  Chart,
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
} from 'chart.js';

Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
);
const PALETTE = ['#1f5fa8', '#c0392b', '#2e8b57', '#8e44ad', '#d35400', '#16a085', '#7f8c8d', '#b7950b'];

export interface Series {
  label: string;
  values: number[];
}
export function StackedChart({
  title,
  labels,
  series,
  unit,
  kind = 'bar',
}: {
  title: string;
  labels: string[];
  series: Series[];
  unit: string;
  kind?: 'bar' | 'line';
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: kind,
      data: {
        labels,
        datasets: series.map((s, i) => ({
          label: s.label,
          data: s.values,
          backgroundColor: PALETTE[i % PALETTE.length],
          borderColor: PALETTE[i % PALETTE.length],
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: kind === 'bar' },
          y: { stacked: kind === 'bar', title: { display: true, text: unit } },
        },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    return () => chart.destroy();
  }, [JSON.stringify([labels, series, kind])]);
  return (
    <figure class="chart">
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={`${title} (chart; the table below has the numbers)`} />
      </div>
      <figcaption>{title}</figcaption>
      <details class="chart-table">
        <summary>Numbers</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Period</th>
              {series.map((s) => (
                <th scope="col">{s.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((l, i) => (
              <tr>
                <th scope="row">{l}</th>
                {series.map((s) => (
                  <td>{s.values[i]?.toLocaleString('en-US', { maximumFractionDigits: 1 })}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
