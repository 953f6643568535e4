"""The review pack (月讲评 / 季总结): the period's figures gathered as one frozen value, then a .docx."""
