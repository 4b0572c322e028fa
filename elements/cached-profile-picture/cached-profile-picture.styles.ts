import { css } from 'lit';

export default css`
  :host {
    --size: 48px;
    --radius: 50%;
    /* initial: unset, so the fallback takes the colours derived from the user id */
    --fallback-color: initial;
    --fallback-background: initial;

    display: inline-block;
    position: relative;
    /* a stacking context of its own, which the fallback under a loading image stays inside */
    z-index: 0;
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

  /* the image and the fallback, the only parts */
  [part] {
    box-sizing: border-box;
    display: block;
    width: var(--size);
    height: var(--size);
    border-radius: var(--radius);
    overflow: hidden;
  }

  [part='image'] {
    object-fit: cover;
  }

  [part='fallback'] {
    display: flex;
    align-items: center;
    justify-content: center;
    color: var(--fallback-color, var(--user-ink));
    background: var(--fallback-background, var(--user-color));
    font-size: calc(var(--size) * 0.4);
    font-weight: 600;
    line-height: 1;
    letter-spacing: 0.02em;
    user-select: none;
    /*
     * Shown only from 100 ms after it appears: a picture the page knew is almost always in its memory cache, the HTTP
     * cache or the worker's, which answer within a few frames (50 pictures decode in ~24 ms after a reload), so a
     * known face never flashes from initials or preview to itself, nor does one whose metadata the page had.
     */
    animation: late 0s 0.1s backwards;
    /* invisible, but forced colours paint it, and paint every background as the page's: the shape keeps its edge */
    outline: 1px solid #0000;
  }

  /* rendered on the server: it was on screen before any script ran, so it stays */
  .served {
    animation: none;
  }

  @keyframes late {
    from {
      visibility: hidden;
    }
  }

  /* under an image that is loading, in the same place: the image covers it as its pixels arrive */
  .under {
    position: absolute;
    top: 0;
    z-index: -1;
  }

  [part='fallback'] > * {
    width: 100%;
    height: 100%;
    fill: currentColor;
  }
`;
