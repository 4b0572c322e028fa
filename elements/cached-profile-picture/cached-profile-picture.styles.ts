import { css } from 'lit';

export default css`
  :host {
    --size: 48px;
    --radius: 50%;
    --fallback-color: #fff;
    /* initial: unset, so the fallback takes the colour derived from the user id */
    --fallback-background: initial;

    display: inline-block;
    position: relative;
    flex: none;
    vertical-align: middle;
    line-height: 0;
  }

  :host([shape='rounded']) {
    --radius: 20%;
  }

  :host([shape='square']) {
    --radius: 0;
  }

  :host([hidden]) {
    display: none;
  }

  [part~='image'],
  [part~='fallback'] {
    box-sizing: border-box;
    display: block;
    width: var(--size);
    height: var(--size);
    border-radius: var(--radius);
    overflow: hidden;
  }

  [part~='image'] {
    object-fit: cover;
  }

  [part~='fallback'] {
    display: flex;
    align-items: center;
    justify-content: center;
    color: var(--fallback-color);
    background: var(--fallback-background, var(--user-color));
    font-size: calc(var(--size) * 0.4);
    font-weight: 600;
    line-height: 1;
    letter-spacing: 0.02em;
    user-select: none;
  }

  [part~='fallback'].silhouette {
    background: var(--fallback-background, #c7cdd4);
  }

  [part~='fallback'] svg {
    width: 100%;
    height: 100%;
    fill: currentColor;
  }
`;
