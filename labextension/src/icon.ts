import { LabIcon } from '@jupyterlab/ui-components';

// Three job rows with status dots. `jp-icon3` lets the theme choose the fill.
const jobsSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <circle cx="5" cy="6" r="2"/><rect x="9" y="5" width="12" height="2" rx="1"/>
    <circle cx="5" cy="12" r="2"/><rect x="9" y="11" width="12" height="2" rx="1"/>
    <circle cx="5" cy="18" r="2"/><rect x="9" y="17" width="12" height="2" rx="1"/>
  </g>
</svg>`;

/** The sidebar tab's icon. */
export const jobsIcon = new LabIcon({ name: 'jupyter_ext:jobs', svgstr: jobsSvg });
