// Loaded as a file (the Content-Security-Policy allows no inline script): marks the page as
// having JavaScript before it is painted, as GOV.UK Frontend's own template does inline.
document.body.className +=
  ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
