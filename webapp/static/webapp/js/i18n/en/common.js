// Texts shared by every page. Plain words, as the NHS website would say them.
export default {
  common: {
    serviceName: "Foot & Ankle Pain Journal",
    skip: "Skip to main content",
    offline: "You are offline. What you log is kept on this device and sent when you are back online.",
    waiting: {
      one: "1 entry waiting to send",
      other: "{count} entries waiting to send",
    },
    refusedCount: {
      one: "1 entry was not accepted: see why",
      other: "{count} entries were not accepted: see why",
    },
    waitingToSend: "Waiting to send",
    refused: "Not sent: the service did not accept this entry",
    problem: "There is a problem",
    errorPrefix: "Error: ",
    needsNetwork: "This needs an internet connection. Try again when you are online.",
    tryAgain: "Try again",
    loading: "Loading…",
    save: "Save",
    cancel: "Cancel",
    delete: "Delete",
    edit: "Change",
    back: "Back",
    yes: "Yes",
    no: "No",
    left: "Left",
    right: "Right",
    notFound: {
      title: "Page not found",
      body: "If you typed the web address, check it is correct.",
      home: "Go to the start page",
    },
    failed: {
      title: "Sorry, there is a problem with the service",
      body: "Try again later.",
    },
    offlinePage: {
      title: "You are offline",
      body: "This page needs an internet connection. Try again when you are online.",
    },
  },
  nav: {
    label: "Main",
    log: "Log",
    entries: "Entries",
    trends: "Trends",
    alerts: "Alerts",
    settings: "Settings",
  },
  home: {
    title: "Your foot and ankle journal",
    welcome:
      "Your account is ready. We have sent you an email: open the link in it to confirm your address, so reminders and alerts can reach you by email.",
    unverified: "Confirm your email address ({email}) with the link we sent you.",
    log: "Log how your foot or ankle feels",
    treatments: "Ice or heat",
    alerts: "Alerts and advice",
    entries: "Your entries",
    trends: "How it has changed",
    emergency:
      "This app does not replace a doctor. If you think it is an emergency, call your local emergency number now.",
  },
};
