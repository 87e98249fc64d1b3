import { notifications } from "@mantine/notifications";
import { useState } from "react";
import type { DownloadedFile } from "../api/client";
import { useErrorMessage } from "./errors";

/** Hand a fetched file to the browser's downloads, under the server's name. */
export function saveFile({ blob, filename }: DownloadedFile): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.style.display = "none";
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The click starts the download synchronously; the URL is only needed until then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Fetch and save a file, with the one in flight and a notification when it fails. */
export function useDownload<K extends string>() {
  const message = useErrorMessage();
  const [pending, setPending] = useState<K | null>(null);
  async function download(key: K, fetch: () => Promise<DownloadedFile>) {
    setPending(key);
    try {
      saveFile(await fetch());
    } catch (error) {
      notifications.show({ color: "red", message: message(error) });
    } finally {
      setPending(null);
    }
  }
  return { download, pending };
}
