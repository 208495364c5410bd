// The toolbar badge: how many agent messages the user has not seen.
import { ext } from "./browser.js";

const COLOR = "#5b5bf7";

export function showUnread(unread) {
  const total = Object.values(unread).reduce((sum, n) => sum + n, 0);
  const text = total === 0 ? "" : total > 99 ? "99+" : String(total);
  ext.action.setBadgeBackgroundColor({ color: COLOR }).catch(() => {});
  // Firefox only: Chrome picks a readable text color by itself.
  ext.action.setBadgeTextColor?.({ color: "#ffffff" })?.catch?.(() => {});
  return ext.action.setBadgeText({ text });
}
