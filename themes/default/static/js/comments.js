/*
 * Comment form helpers. The page works fully without them:
 * - fills name, email and website from the "save my details" cookie, which
 *   only this script reads, so the cached page stays the same for everybody
 *   (not on a form shown again with errors: it holds what the reader sent);
 * - moves the form under a comment when its Reply link is clicked (without
 *   JavaScript, or opened in a new tab, the link loads the page with
 *   ?replytocom=<id>).
 */
(function () {
  "use strict";

  var form = document.getElementById("commentform");
  if (!form) {
    return;
  }
  var respond = document.getElementById("respond");
  var cancel = document.getElementById("cancel-comment-reply-link");
  var title = respond.querySelector(".reply-title-text");
  var defaultTitle = respond.querySelector("#reply-title").getAttribute("data-default");
  var parentField = form.elements.namedItem("parent");
  var home = document.createComment("comment form");
  respond.parentNode.insertBefore(home, respond);

  function savedDetails() {
    var match = document.cookie.match(/(?:^|;\s*)comment_author=([^;]*)/);
    if (!match) {
      return null;
    }
    try {
      return JSON.parse(decodeURIComponent(match[1]));
    } catch (error) {
      return null;
    }
  }

  function fillDetails() {
    var details = savedDetails();
    // A form shown again with errors holds what its reader sent: an emptied
    // field or an unticked box is their choice, not a gap to fill.
    if (!details || form.querySelector(".form-errors")) {
      return;
    }
    [["author", "name"], ["email", "email"], ["url", "url"]].forEach(function (pair) {
      var input = form.elements.namedItem(pair[0]);
      if (input && !input.value && typeof details[pair[1]] === "string") {
        input.value = details[pair[1]];
      }
    });
    form.elements.namedItem("remember").checked = true;
  }

  function replyTo(link) {
    var comment = document.getElementById("comment-" + link.getAttribute("data-comment-id"));
    if (!comment) {
      return false;
    }
    comment.querySelector(".comment-body").after(respond);
    parentField.value = link.getAttribute("data-comment-id");
    var name = document.createElement("bdi");
    name.textContent = link.getAttribute("data-author");
    title.replaceChildren("Leave a Reply to ", name);
    cancel.hidden = false;
    form.elements.namedItem("comment").focus();
    return true;
  }

  function cancelReply() {
    // A form the server put in place (?replytocom=, or sent back with an
    // error) never moved: its reader stays in it, with what they wrote.
    var moved = respond.previousSibling !== home;
    var answered = moved && document.getElementById("comment-" + parentField.value);
    var opener = answered && answered.querySelector(".comment-reply-link");
    home.parentNode.insertBefore(respond, home.nextSibling);
    parentField.value = "";
    title.textContent = defaultTitle;
    cancel.hidden = true;
    // The hidden Cancel link drops the focus to the top of the page: a
    // keyboard reader goes back to the Reply link they came from instead.
    (opener || form.elements.namedItem("comment")).focus();
  }

  // A modified or non-primary click asks for the link in a new tab or
  // window: that tab gets the server's ?replytocom= form, this one stays.
  function plainClick(event) {
    return event.button === 0 &&
      !(event.ctrlKey || event.metaKey || event.shiftKey || event.altKey);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".comment-reply-link");
    if (link && plainClick(event) && replyTo(link)) {
      event.preventDefault();
    }
  });
  cancel.addEventListener("click", function (event) {
    event.preventDefault();
    cancelReply();
  });
  fillDetails();
})();
