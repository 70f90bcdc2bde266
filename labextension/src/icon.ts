import { LabIcon } from '@jupyterlab/ui-components';

// Staggered bars, like jobs on a timeline; unlike the bulleted table-of-contents
// icon next to it. `jp-icon3` lets the theme choose the fill.
const jobsSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <rect x="2" y="4" width="12" height="3.5" rx="1"/>
    <rect x="7" y="10.25" width="14" height="3.5" rx="1"/>
    <rect x="4" y="16.5" width="9" height="3.5" rx="1"/>
  </g>
</svg>`;

/** The sidebar tab's icon. */
export const jobsIcon = new LabIcon({ name: 'jupyter_ext:jobs', svgstr: jobsSvg });
