/**
 * The demo site's script, on every page after the drop-in bundle: the signed-in user's pictures, the offline mark,
 * then what the page itself does (`<body data-page>`).
 */
import { showConnection } from './connection.ts';
import { showFriends } from './friends.ts';
import { showMe } from './me.ts';
import { showPictures } from './pictures.ts';
import { setUpUpload } from './upload.ts';

const pages: Record<string, (root: ParentNode) => void> = { friends: showFriends, profile: setUpUpload, pictures: showPictures };

showMe(document);
showConnection(document);
pages[document.body.dataset.page ?? '']?.(document);
